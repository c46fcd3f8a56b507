import { useEffect, useState } from "preact/hooks";
import { message } from "../api";
import { devLogin, passwordLogin, providers, signup, type Me, type Provider } from "../auth";

export function Login({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [nickname, setNickname] = useState("");
  const [newAccount, setNewAccount] = useState(false);
  const [nick, setNick] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [oauth, setOauth] = useState<Provider[]>([]);

  useEffect(() => {
    providers().then(setOauth);
  }, []);

  const run = async (work: () => Promise<Me>) => {
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await work());
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <form
        aria-labelledby="pw-title"
        onSubmit={(e) => {
          e.preventDefault();
          run(() => (newAccount ? signup(email, password, nickname) : passwordLogin(email, password)));
        }}
      >
        <h2 id="pw-title">{newAccount ? "회원가입" : "이메일로 로그인"}</h2>
        <label for="email">이메일</label>
        <input id="email" type="email" autoComplete="email" required value={email}
          onInput={(e) => setEmail(e.currentTarget.value)} />
        <label for="password">비밀번호</label>
        <input id="password" type="password" required minLength={8}
          autoComplete={newAccount ? "new-password" : "current-password"} value={password}
          onInput={(e) => setPassword(e.currentTarget.value)} />
        {newAccount && (
          <>
            <label for="nickname">닉네임</label>
            <input id="nickname" type="text" required value={nickname}
              onInput={(e) => setNickname(e.currentTarget.value)} />
          </>
        )}
        <div class="row">
          <button type="submit" disabled={busy}>{newAccount ? "가입하기" : "로그인"}</button>
          <button type="button" class="secondary" onClick={() => setNewAccount(!newAccount)}>
            {newAccount ? "이미 계정이 있어요" : "회원가입"}
          </button>
        </div>
      </form>

      {oauth.length > 0 && (
        <section aria-labelledby="oauth-title">
          <h2 id="oauth-title">간편 로그인</h2>
          <div class="row">
            {oauth.map((p) => (
              <a class="button secondary" key={p.name}
                href={p.authorize_url ?? `/api/v1/auth/${p.name}/login`}>
                {p.label ?? p.name} 로그인
              </a>
            ))}
          </div>
        </section>
      )}

      <form
        aria-labelledby="dev-title"
        onSubmit={(e) => {
          e.preventDefault();
          run(() => devLogin(nick.trim()));
        }}
      >
        <h2 id="dev-title">개발용 로그인</h2>
        <p class="note">로컬 서버에서만 켜지는 로그인이에요. 닉네임만 있으면 돼요.</p>
        <label for="dev-nick">닉네임</label>
        <input id="dev-nick" type="text" required maxLength={40} value={nick}
          onInput={(e) => setNick(e.currentTarget.value)} />
        <div class="row">
          <button type="submit" disabled={busy || !nick.trim()}>닉네임으로 시작</button>
        </div>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
    </>
  );
}
