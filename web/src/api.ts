// The API client: one place that turns any refusal into a sentence a person understands.
// Signed in by the identity contract: HttpOnly cookies eco2_access (every path) and
// eco2_refresh (/api/v1/auth), same origin; the page never sees a token. An access token that
// expired is renewed once through /api/v1/auth/refresh and the request sent again.

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
    readonly retryAfter: number | null,
  ) {
    super(message);
  }
}

function retryAfterOf(res: { headers: { get(name: string): string | null } }): number | null {
  const raw = res.headers.get("Retry-After");
  if (!raw) return null;
  const n = Number(raw);
  if (Number.isFinite(n)) return Math.max(0, Math.round(n));
  const when = Date.parse(raw);
  return Number.isNaN(when) ? null : Math.max(0, Math.round((when - Date.now()) / 1000));
}

/** The sentence for a refused request (never the raw body). */
export function sentence(status: number, code: string | null, retryAfter: number | null): string {
  const wait = retryAfter !== null ? `${retryAfter}초 뒤에` : "잠시 뒤에";
  switch (code) {
    case "too_large":
      return "사진이 너무 커요. 10MB 이하의 사진을 골라 주세요.";
    case "decompression_bomb":
      return "사진의 화소가 너무 많아요. 더 작은 사진으로 찍어 주세요.";
    case "not_image":
      return "이미지 파일이 아니에요. 사진(JPG, PNG 등)을 골라 주세요.";
    case "unsupported_format":
      return "이 사진 형식은 읽을 수 없어요. JPG나 PNG로 바꿔서 올려 주세요.";
    case "empty":
      return "빈 파일이에요. 사진을 다시 골라 주세요.";
    case "corrupt":
      return "사진 파일이 손상되었어요. 다시 찍어서 올려 주세요.";
    case "unknown_district":
      return "그 지역의 자료는 아직 없어요. 다른 시·군·구 이름으로 찾아 주세요.";
    case "invalid_credentials":
      return "이메일이나 비밀번호가 맞지 않아요.";
    case "email_taken":
      return "이미 가입한 이메일이에요. 로그인해 주세요.";
    case "not_waiting_for_input":
    case "invalid_transition":
      return "이미 답한 질문이에요. 화면을 새로 고쳐 주세요.";
  }
  switch (status) {
    case 0:
      return "서버에 연결할 수 없어요. 인터넷 연결을 확인하고 다시 시도해 주세요.";
    case 401:
      return "로그인이 필요해요. 다시 로그인해 주세요.";
    case 403:
      return "이 작업을 할 권한이 없어요.";
    case 404:
      return "찾는 내용이 없어요.";
    case 409:
      return "이미 처리된 요청이에요. 화면을 새로 고쳐 주세요.";
    case 413:
      return "사진이 너무 커요. 10MB 이하의 사진을 골라 주세요.";
    case 415:
      return "이미지 파일이 아니에요. 사진(JPG, PNG 등)을 골라 주세요.";
    case 422:
      return "입력한 내용을 다시 확인해 주세요.";
    case 429:
      return `요청이 너무 잦아요. ${wait} 다시 시도해 주세요.`;
    case 503:
      return `지금 요청이 많아 바빠요. ${wait} 다시 시도해 주세요.`;
  }
  return status >= 500
    ? "서버에 문제가 생겼어요. 잠시 뒤에 다시 시도해 주세요."
    : "요청을 처리하지 못했어요. 다시 시도해 주세요.";
}

function codeOf(body: unknown): string | null {
  if (body && typeof body === "object" && "error" in body) {
    const err = (body as { error?: { code?: unknown } }).error;
    if (err && typeof err.code === "string") return err.code;
  }
  return null;
}

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

let refreshing: Promise<boolean> | null = null;

/** Renew the access cookie from the refresh cookie; one attempt shared by every caller. */
export function refresh(): Promise<boolean> {
  refreshing ??= fetch("/api/v1/auth/refresh", { method: "POST", credentials: "same-origin" })
    .then((r) => r.ok)
    .catch(() => false)
    .finally(() => setTimeout(() => (refreshing = null), 0));
  return refreshing;
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const init: RequestInit = {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
  try {
    const res = await fetch(path, init);
    if (res.status === 401 && !path.startsWith("/api/v1/auth/") && (await refresh()))
      return await fetch(path, init);
    return res;
  } catch {
    throw new ApiError(sentence(0, null, null), 0, null, null);
  }
}

/** JSON request; resolves the parsed body, rejects with an ApiError carrying a sentence. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body);
  const data = parse(await res.text());
  if (!res.ok) {
    const code = codeOf(data);
    const after = retryAfterOf(res);
    throw new ApiError(sentence(res.status, code, after), res.status, code, after);
  }
  return data as T;
}

/** Multipart upload with progress (fetch cannot report upload progress; XHR can). */
export async function upload<T>(
  path: string,
  form: FormData,
  onProgress: (f: number) => void,
): Promise<T> {
  try {
    return await uploadOnce<T>(path, form, onProgress);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && (await refresh()))
      return uploadOnce<T>(path, form, onProgress);
    throw err;
  }
}

function uploadOnce<T>(path: string, form: FormData, onProgress: (f: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(sentence(0, null, null), 0, null, null));
    xhr.onload = () => {
      const data = parse(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) return resolve(data as T);
      const code = codeOf(data);
      const after = retryAfterOf({ headers: { get: (n) => xhr.getResponseHeader(n) } });
      reject(new ApiError(sentence(xhr.status, code, after), xhr.status, code, after));
    };
    xhr.send(form);
  });
}

export function message(err: unknown): string {
  return err instanceof ApiError ? err.message : sentence(-1, null, null);
}
