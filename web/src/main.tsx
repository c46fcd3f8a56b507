import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import "./style.css";
import { currentUser, logout, type Me } from "./auth";
import { Login } from "./pages/Login";
import { Scan } from "./pages/Scan";
import { Chat } from "./pages/Chat";
import { Near } from "./pages/Near";
import { District } from "./pages/District";
import { Collection } from "./pages/Collection";

const PAGES = [
  { path: "scan", title: "분리배출 찾기", nav: "찍기", Page: Scan },
  { path: "chat", title: "물어보기", nav: "대화", Page: Chat },
  { path: "near", title: "가까운 수거함", nav: "근처", Page: Near },
  { path: "district", title: "우리 동네 배출일", nav: "동네", Page: District },
  { path: "collection", title: "내 캐릭터", nav: "도감", Page: Collection },
] as const;

function route(): string {
  return location.hash.replace(/^#\/?/, "") || "scan";
}

function App() {
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [path, setPath] = useState(route());
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    currentUser().then(setMe);
    const onHash = () => setPath(route());
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);

  const page = PAGES.find((p) => p.path === path) ?? PAGES[0];
  useEffect(() => {
    document.title = `${page.title} - 이코에코`;
    heading.current?.focus(); // a screen reader hears the new page's name
  }, [page.path, me]);

  if (me === undefined) return <p class="loading" role="status">불러오는 중…</p>;
  if (me === null)
    return (
      <main id="main">
        <h1 ref={heading} tabIndex={-1}>이코에코 로그인</h1>
        <Login onSignedIn={setMe} />
      </main>
    );

  const { Page } = page;
  return (
    <>
      <a class="skip" href="#main">본문으로 건너뛰기</a>
      <header class="top">
        <span class="brand" aria-hidden="true">이코에코</span>
        <span class="who">
          {me.nickname}님
        </span>
        <button
          type="button"
          class="link"
          onClick={async () => {
            await logout();
            setMe(null);
          }}
        >
          로그아웃
        </button>
      </header>
      <main id="main">
        <h1 ref={heading} tabIndex={-1}>{page.title}</h1>
        <Page />
      </main>
      <nav class="tabs" aria-label="주 메뉴">
        <ul>
          {PAGES.map((p) => (
            <li key={p.path}>
              <a href={`#/${p.path}`} aria-current={p.path === page.path ? "page" : undefined}>
                {p.nav}
              </a>
            </li>
          ))}
        </ul>
      </nav>
    </>
  );
}

render(<App />, document.getElementById("app")!);
