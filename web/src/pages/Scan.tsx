import { useEffect, useRef, useState } from "preact/hooks";
import { api, message, upload } from "../api";
import { follow, type Follow, type Progress } from "../sse";
import { CATEGORY, STAGE, STATUS, label } from "../labels";
import { Avatar } from "./Character";

interface Accepted { job_id: string; events_url: string; result_url: string }
interface Choice { category: string; name: string }
type Phase = "idle" | "uploading" | "running" | "done" | "needs_input" | "failed";

/** The guidance text's sections ("준비:", "배출:", "자주 하는 실수:" …) as lists. */
export function sections(text: string): { lead: string[]; parts: Record<string, string[]> } {
  const lead: string[] = [];
  const parts: Record<string, string[]> = {};
  let current: string | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const item = line.match(/^[-·]\s*(.*)$/);
    if (/^[^-·].*:$/.test(line) && !raw.startsWith(" ")) {
      current = line.slice(0, -1);
      parts[current] = [];
    } else if (current && item && raw.startsWith(" ")) {
      parts[current].push(item[1]);
    } else {
      current = null;
      lead.push(line.replace(/^·\s*/, ""));
    }
  }
  return { lead, parts };
}

export function Scan() {
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  const [hint, setHint] = useState("");
  const [phase, setPhase] = useState<Phase>("idle");
  const [sent, setSent] = useState(0);
  const [progress, setProgress] = useState(0);
  const [stage, setStage] = useState("");
  const [steps, setSteps] = useState<Progress[]>([]);
  const [seqs, setSeqs] = useState<number[]>([]);
  const [draft, setDraft] = useState("");
  const [result, setResult] = useState<any>(null);
  const [question, setQuestion] = useState<{ text: string; choices: Choice[] } | null>(null);
  const [answer, setAnswer] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [link, setLink] = useState<"open" | "reconnecting" | "lost">("open");
  const job = useRef<Accepted | null>(null);
  const stream = useRef<Follow | null>(null);

  useEffect(() => () => stream.current?.close(), []);

  const onEvent = (p: Progress) => {
    setSeqs((s) => [...s, p.seq]);
    setProgress(p.progress);
    setStage(p.stage);
    if (p.status === "token") {
      setDraft((d) => d + (p.payload?.text ?? ""));
      return;
    }
    setSteps((s) => [...s, p]);
    if (p.stage === "done") {
      setResult(p.payload);
      setPhase("done");
    } else if (p.status === "needs_input" || p.stage === "needs_input") {
      setQuestion({ text: p.payload?.question ?? "무엇인지 알려 주세요.", choices: p.payload?.choices ?? [] });
      setPhase("needs_input");
    } else if (p.status === "failed" || p.stage === "failed") {
      setError(`스캔하지 못했어요. ${p.payload?.reason ?? ""}`.trim());
      setPhase("failed");
    }
  };

  const watch = (accepted: Accepted, after = 0) => {
    stream.current?.close();
    setPhase("running");
    stream.current = follow(accepted.events_url, onEvent, { after, onState: setLink });
  };

  const start = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setError(null);
    setSteps([]);
    setSeqs([]);
    setDraft("");
    setResult(null);
    setQuestion(null);
    setProgress(0);
    setPhase("uploading");
    const form = new FormData();
    form.append("image", file);
    if (hint.trim()) form.append("hint", hint.trim());
    try {
      const accepted = await upload<Accepted>("/api/v1/scans", form, setSent);
      job.current = accepted;
      watch(accepted);
    } catch (err) {
      setError(message(err));
      setPhase("idle");
    }
  };

  const reply = async (body: { choice?: string; text?: string }) => {
    const current = job.current;
    if (!current) return;
    setError(null);
    try {
      await api("POST", `/api/v1/scans/${current.job_id}/answer`, body);
      setQuestion(null);
      setAnswer("");
      watch(current, stream.current?.lastSeq ?? 0);
    } catch (err) {
      setError(message(err));
    }
  };

  const busy = phase === "uploading" || phase === "running";
  return (
    <>
      <form onSubmit={start} aria-describedby="scan-help">
        <p id="scan-help" class="note">버릴 물건을 찍으면 어디에 어떻게 버리는지 알려 드려요.</p>
        <label for="photo">사진</label>
        <input id="photo" type="file" accept="image/*" capture="environment"
          onChange={(e) => {
            const f = e.currentTarget.files?.[0] ?? null;
            setFile(f);
            if (preview) URL.revokeObjectURL(preview);
            setPreview(f ? URL.createObjectURL(f) : null);
          }} />
        {preview && <img src={preview} alt="고른 사진 미리보기" style="max-width:100%;max-height:12rem;margin-top:.5rem" />}
        <label for="hint">무엇인가요? (선택)</label>
        <input id="hint" type="text" maxLength={500} placeholder="예: 다 마신 생수병"
          value={hint} onInput={(e) => setHint(e.currentTarget.value)} />
        <div class="row">
          <button type="submit" disabled={!file || busy}>분석하기</button>
        </div>
      </form>

      {phase === "uploading" && (
        <div class="card">
          <label for="upload-bar">사진 올리는 중</label>
          <progress id="upload-bar" max={1} value={sent}>{Math.round(sent * 100)}%</progress>
        </div>
      )}

      {(phase === "running" || steps.length > 0) && (
        <section class="card" aria-labelledby="progress-title" data-seqs={seqs.join(",")}>
          <h2 id="progress-title">진행 상황</h2>
          <progress aria-label="스캔 진행률" max={100} value={progress}>{progress}%</progress>
          <p role="status" aria-live="polite">
            {phase === "running" ? `${label(STAGE, stage)} 중… (${progress}%)` : ""}
            {phase === "running" && link === "reconnecting" ? " 연결이 끊겨 다시 잇는 중이에요." : ""}
            {phase === "running" && link === "lost" ? " 진행 상황을 받을 수 없어요. 다시 로그인해 주세요." : ""}
          </p>
          <details open={phase === "running"}>
            <summary>지나온 단계 ({steps.length})</summary>
            <ol class="steps" aria-label="지나온 단계">
              {steps.map((s) => (
                <li key={s.seq} data-seq={s.seq} data-step={`${s.stage}:${s.status}`}>
                  {label(STAGE, s.stage)} {label(STATUS, s.status)}
                </li>
              ))}
            </ol>
          </details>
          {phase === "running" && draft && <p class="note" aria-live="off">{draft}</p>}
        </section>
      )}

      {error && <p class="error" role="alert">{error}</p>}

      {question && (
        <section class="card" aria-labelledby="q-title">
          <h2 id="q-title">확인이 필요해요</h2>
          <p>{question.text}</p>
          {question.choices.length > 0 && (
            <div class="row" role="group" aria-label="고를 수 있는 답">
              {question.choices.map((c) => (
                <button type="button" key={c.category} onClick={() => reply({ choice: c.category })}>
                  {c.name}
                </button>
              ))}
            </div>
          )}
          <form onSubmit={(e) => { e.preventDefault(); if (answer.trim()) reply({ text: answer.trim() }); }}>
            <label for="answer">직접 알려 주기</label>
            <input id="answer" type="text" maxLength={2000} value={answer}
              onInput={(e) => setAnswer(e.currentTarget.value)} />
            <div class="row"><button type="submit" class="secondary">답하기</button></div>
          </form>
        </section>
      )}

      {phase === "done" && result && <Result result={result} />}
    </>
  );
}

function Result({ result }: { result: any }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []); // read the answer out first
  const rule = result.rule ?? {};
  const text: string = result.answer?.text ?? "";
  const { lead, parts } = sections(text);
  const reward = result.reward ?? {};
  const list = (title: string, items?: string[]) =>
    items && items.length > 0 ? (
      <>
        <h3>{title}</h3>
        <ul>{items.map((i) => <li key={i}>{i}</li>)}</ul>
      </>
    ) : null;
  return (
    <section class="card ok" aria-labelledby="result-title" data-testid="result">
      <h2 id="result-title" ref={heading} tabIndex={-1}>{label(CATEGORY, rule.category)}</h2>
      {rule.item && <p>물건: <strong>{rule.item}</strong></p>}
      {reward.character && (
        <div class="character card" data-testid="character">
          <Avatar name={reward.character} />
          <div>
            <p>
              <strong>{reward.character}</strong>{" "}
              {reward.already_owned ? "(이미 가지고 있어요)" : reward.received ? "을(를) 새로 만났어요!" : ""}
            </p>
            {reward.dialog && <p>“{reward.dialog}”</p>}
          </div>
        </div>
      )}
      {lead.map((l) => <p key={l}>{l}</p>)}
      {rule.parts?.length > 0 && (
        <>
          <h3>부분별로</h3>
          <ul class="parts">
            {rule.parts.map((p: any) => (
              <li key={p.name}>
                <strong>{p.name}</strong> → {label(CATEGORY, p.category)}
                {p.steps?.length ? `: ${p.steps.join(" ")}` : ""}
              </li>
            ))}
          </ul>
        </>
      )}
      {list("준비", parts["준비"])}
      {list("내놓는 곳", parts["배출"])}
      {list("자주 하는 실수", parts["자주 하는 실수"])}
    </section>
  );
}
