// Who is signed in: the server's cookies decide, /api/v1/users/me tells the page.
import { api, ApiError } from "./api";

export interface Me {
  nickname: string;
  email: string | null;
}

export interface Provider {
  name: string;
  label?: string;
  authorize_url?: string;
}

export async function currentUser(): Promise<Me | null> {
  try {
    return await api<Me>("GET", "/api/v1/users/me");
  } catch {
    return null; // 401: signed out (or the refresh token expired too)
  }
}

async function signedIn(): Promise<Me> {
  const me = await currentUser();
  if (!me) throw new ApiError("로그인했지만 세션을 만들지 못했어요. 브라우저의 쿠키 설정을 확인해 주세요.", 401, null, null);
  return me;
}

/** The dev login (ECO2_AUTH__DEV_LOGIN=true on the server; `make serve` turns it on). */
export async function devLogin(nickname: string): Promise<Me> {
  try {
    await api("POST", "/api/v1/auth/dev-login", { nickname });
  } catch (err) {
    if (err instanceof ApiError && err.status === 404)
      throw new ApiError("이 서버에서는 개발용 로그인이 꺼져 있어요. 이메일로 로그인해 주세요.", 404, null, null);
    throw err;
  }
  return signedIn();
}

export async function passwordLogin(email: string, password: string): Promise<Me> {
  await api("POST", "/api/v1/auth/login", { email, password });
  return signedIn();
}

export async function signup(email: string, password: string, nickname: string): Promise<Me> {
  await api("POST", "/api/v1/auth/signup", { email, password, nickname });
  return passwordLogin(email, password);
}

/** OAuth providers the server has configured (none listed: no buttons). */
export async function providers(): Promise<Provider[]> {
  try {
    const body = await api<unknown>("GET", "/api/v1/auth/providers");
    const list = Array.isArray(body) ? body : ((body as { providers?: unknown[] })?.providers ?? []);
    return list.map((p) => (typeof p === "string" ? { name: p } : (p as Provider)));
  } catch {
    return [];
  }
}

export async function logout(): Promise<void> {
  try {
    await api("POST", "/api/v1/auth/logout");
  } catch {
    /* already signed out */
  }
}
