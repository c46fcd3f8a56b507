import { useEffect, useRef, useState } from "preact/hooks";
import { api, message } from "../api";
import { follow, type Follow, type Progress } from "../sse";
import { STAGE, label } from "../labels";

interface ChatView { chat_id: string; title: string; waiting_job: string | null; question: string | null; updated_at: string }
interface Message { seq: number; role: "user" | "assistant"; text: string; job_id?: string | null; data?: any }
interface Turn { job_id: string; events_url: string }
interface Phase { key: string; text: string; done: boolean }

/** One paragraph per sub-question: the answer's blank-line separated blocks. */
const paragraphs = (text: string) => text.split(/\n{2,}/).map((p) => p.trim()).filter(Boolean);

/** Where the person is, as words the location sub-agent reads (district if known). */
async function whereAmI(): Promise<string> {
  const pos = await new Promise<GeolocationPosition>((ok, fail) =>
    navigator.geolocation.getCurrentPosition(ok, fail, { timeout: 10000 }),
  );
  const { latitude: lat, longitude: lon } = pos.coords;
  try {
    const region = await api<{ sido: string; sigungu: string; dong?: string } | null>(
      "GET", `/api/v1/locations/region?lat=${lat}&lon=${lon}`);
    if (region) return [region.sido, region.sigungu, region.dong].filter(Boolean).join(" ");
  } catch { /* coordinates below */ }
  return `위도 ${lat.toFixed(5)}, 경도 ${lon.toFixed(5)}`;
}

export function Chat() {
  const [chats, setChats] = useState<ChatView[]>([]);
  const [current, setCurrent] = useState<ChatView | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [text, setText] = useState("");
  const [phases, setPhases] = useState<Phase[]>([]);
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [draftId, setDraftId] = useState<string | null>(null);
  const [question, setQuestion] = useState<string | null>(null);
  const [reply, setReply] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const stream = useRef<Follow | null>(null);
  const turn = useRef<Turn | null>(null);

  const loadChats = () =>
    api<{ items: ChatView[] }>("GET", "/api/v1/chats").then((p) => setChats(p.items)).catch((e) => setError(message(e)));
  useEffect(() => { loadChats(); return () => stream.current?.close(); }, []);

  const open = async (chat: ChatView) => {
    setError(null);
    try {
      const page = await api<{ chat: ChatView; items: Message[] }>("GET", `/api/v1/chats/${chat.chat_id}`);
      setCurrent(page.chat);
      setMessages(page.items);
      setQuestion(page.chat.question);
    } catch (e) { setError(message(e)); }
  };

  const create = async () => {
    try {
      const chat = await api<ChatView>("POST", "/api/v1/chats", {});
      setChats((c) => [chat, ...c]);
      setCurrent(chat);
      setMessages([]);
      setQuestion(null);
    } catch (e) { setError(message(e)); }
  };

  const onEvent = (p: Progress) => {
    const data = p.payload ?? {};
    if (p.stage === "turn") {
      setPhases([]); // a turn run again (redelivered) starts its phases over
      return;
    }
    if (p.status === "token") {
      setDraftId(data.id);
      setDrafts((d) => ({ ...d, [data.id]: (d[data.id] ?? "") + (data.text ?? "") }));
      return;
    }
    if (data.phase === "classify" || data.phase === "agent" || data.phase === "answer") {
      const key = data.phase === "agent" ? `agent:${data.index}` : data.phase;
      const name = data.phase === "agent" ? label(STAGE, data.node) : data.phase === "classify" ? "질문 나누기" : "답 쓰기";
      const done = data.status === "completed";
      const text = `${name} ${done ? "완료" : "중…"}`;
      setPhases((ps) => {
        const rest = ps.filter((x) => x.key !== key);
        return [...rest, { key, text, done }];
      });
      return;
    }
    if (p.stage === "done") {
      setMessages((m) => [...m, { seq: m.length + 1e6, role: "assistant", text: data.text, data: { parts: data.parts } }]);
      finish();
    } else if (p.stage === "needs_input" || p.status === "needs_input") {
      setQuestion(data.question ?? "어디 근처인지 알려 주세요.");
      setBusy(false);
    } else if (p.stage === "failed" || p.status === "failed") {
      setError(`답하지 못했어요. ${data.reason ?? ""}`.trim());
      finish();
    }
  };

  const finish = () => {
    setBusy(false);
    setPhases([]);
    setDrafts({});
    setDraftId(null);
    loadChats();
  };

  const send = async (e: Event) => {
    e.preventDefault();
    if (!current || !text.trim()) return;
    setError(null);
    setBusy(true);
    const said = text.trim();
    try {
      const accepted = await api<Turn>("POST", `/api/v1/chats/${current.chat_id}/messages`, { text: said });
      setMessages((m) => [...m, { seq: m.length + 1e6, role: "user", text: said }]);
      setText("");
      turn.current = accepted;
      stream.current?.close();
      stream.current = follow(accepted.events_url, onEvent);
    } catch (err) {
      setError(message(err));
      setBusy(false);
    }
  };

  const resume = async (answer: string) => {
    if (!current) return;
    setError(null);
    setBusy(true);
    try {
      const accepted = await api<Turn>("POST", `/api/v1/chats/${current.chat_id}/input`, { text: answer });
      setQuestion(null);
      setReply("");
      setMessages((m) => [...m, { seq: m.length + 1e6, role: "user", text: answer }]);
      const after = turn.current?.job_id === accepted.job_id ? stream.current?.lastSeq ?? 0 : 0;
      turn.current = accepted;
      stream.current?.close();
      // Resuming after the paused turn's last seen step: only what comes after it.
      stream.current = follow(accepted.events_url, onEvent, { after });
    } catch (err) {
      setError(message(err));
      setBusy(false);
    }
  };

  const useLocation = async () => {
    try {
      await resume(await whereAmI());
    } catch {
      setError("위치를 알 수 없어요. 동네 이름을 직접 적어 주세요.");
    }
  };

  if (!current)
    return (
      <>
        <div class="row"><button type="button" onClick={create}>새 대화</button></div>
        <h2>대화 목록</h2>
        {chats.length === 0 ? <p class="note">아직 대화가 없어요.</p> : (
          <ul>{chats.map((c) => (
            <li key={c.chat_id}><button type="button" class="link" onClick={() => open(c)}>{c.title}</button></li>
          ))}</ul>
        )}
        {error && <p class="error" role="alert">{error}</p>}
      </>
    );

  const draft = draftId ? drafts[draftId] ?? "" : "";
  return (
    <>
      <div class="row"><button type="button" class="secondary" onClick={() => { setCurrent(null); loadChats(); }}>대화 목록</button></div>
      <h2>{current.title}</h2>
      <ol class="messages" aria-label="대화 내용">
        {messages.map((m) => (
          <li key={m.seq} class={m.role} data-role={m.role}>
            <span class="sr-only">{m.role === "user" ? "나:" : "이코:"}</span>
            {m.role === "assistant" ? <Answer text={m.text} parts={m.data?.parts} /> : <p>{m.text}</p>}
          </li>
        ))}
        {busy && (
          <li class="assistant" aria-busy="true">
            <ul class="phases" aria-label="진행 중인 일">
              {phases.map((p) => <li key={p.key} data-phase={p.key}>{p.done ? "✓ " : "… "}{p.text}</li>)}
            </ul>
            {draft && paragraphs(draft).map((p, i) => <p key={i} class="draft">{p}</p>)}
          </li>
        )}
      </ol>
      <p role="status" aria-live="polite" class="sr-only">{busy ? "답을 쓰는 중이에요." : ""}</p>
      {question && (
        <section class="card" aria-labelledby="chat-q">
          <h3 id="chat-q">{question}</h3>
          <div class="row"><button type="button" onClick={useLocation}>내 위치 보내기</button></div>
          <form onSubmit={(e) => { e.preventDefault(); if (reply.trim()) resume(reply.trim()); }}>
            <label for="chat-reply">동네 이름 적기</label>
            <input id="chat-reply" type="text" maxLength={500} value={reply} onInput={(e) => setReply(e.currentTarget.value)} />
            <div class="row"><button type="submit" class="secondary">보내기</button></div>
          </form>
        </section>
      )}
      {error && <p class="error" role="alert">{error}</p>}
      <form onSubmit={send}>
        <label for="chat-text">메시지</label>
        <textarea id="chat-text" rows={2} maxLength={2000} value={text} placeholder="예: 이거 어디서 버려? 이코는 뭐 좋아해?"
          onInput={(e) => setText(e.currentTarget.value)} />
        <div class="row"><button type="submit" disabled={busy || !text.trim() || !!question}>보내기</button></div>
      </form>
    </>
  );
}

function Answer({ text, parts }: { text: string; parts?: any[] }) {
  const images = (parts ?? []).map((p) => p?.data?.image).filter((i) => i && (i.url || i.ref));
  return (
    <div class="answer">
      {paragraphs(text).map((p, i) => <p key={i} data-paragraph={i}>{p}</p>)}
      {images.map((img) => (
        <img key={img.ref ?? img.url} src={img.url ?? `/api/v1/images/${img.ref}`}
          alt={img.title ?? img.alt ?? "대화에서 그린 그림"} style="max-width:100%" />
      ))}
    </div>
  );
}
