import { useEffect, useState } from "preact/hooks";
import { api, ApiError, message } from "../api";
import { STREAM, label } from "../labels";

interface Window { stream: string; label: string; start: string; end: string }
interface Day { date: string; weekday: string; holiday: string | null; streams: Window[]; skipped: { stream: string; label: string; reason: string }[] }
interface Reminder { sigungu: string; zone: string; streams: string[]; remind_at: string; enabled: boolean }

const hm = (t: string) => t.slice(0, 5);

export function District() {
  const [sigungu, setSigungu] = useState(localStorage.getItem("eco2.sigungu") ?? "");
  const [zone, setZone] = useState("");
  const [zones, setZones] = useState<{ of: string; list: { zone: string; areas: string | null }[] } | null>(null);
  const [tonight, setTonight] = useState<string | null>(null);
  const [days, setDays] = useState<Day[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reminder, setReminder] = useState<Reminder | null>(null);
  const [streams, setStreams] = useState<string[]>(["general", "food", "recyclables"]);
  const [at, setAt] = useState("19:00");
  const [saved, setSaved] = useState("");

  useEffect(() => {
    api<Reminder>("GET", "/api/v1/users/me/reminders").then((r) => {
      setReminder(r);
      setStreams(r.streams);
      setAt(hm(r.remind_at));
      if (!sigungu) setSigungu(r.sigungu);
    }).catch(() => undefined); // none set yet
  }, []);

  const query = (z = zone) => {
    const q = new URLSearchParams({ sigungu: sigungu.trim() });
    if (z.trim()) q.set("zone", z.trim());
    return q;
  };

  /** The district's zones (a district with several needs one picked; the first by default). */
  const pickZone = async (): Promise<string> => {
    const of = sigungu.trim();
    let list = zones?.of === of ? zones.list : null;
    if (!list) {
      list = await api<{ zone: string; areas: string | null }[]>("GET", `/api/v1/info/zones?${new URLSearchParams({ sigungu: of })}`);
      setZones({ of, list });
    }
    const chosen = list.find((z) => z.zone === zone)?.zone ?? list[0]?.zone ?? "";
    setZone(chosen);
    return chosen;
  };

  const look = async (e?: Event) => {
    e?.preventDefault();
    if (!sigungu.trim()) return;
    setError(null);
    localStorage.setItem("eco2.sigungu", sigungu.trim());
    try {
      const z = await pickZone();
      const [t, cal] = await Promise.all([
        api<{ message: string }>("GET", `/api/v1/info/tonight?${query(z)}`),
        api<{ days: Day[] }>("GET", `/api/v1/info/calendar?${query(z)}&days=31`),
      ]);
      setTonight(t.message);
      setDays(cal.days);
    } catch (err) {
      setError(message(err));
      setTonight(null);
      setDays(null);
    }
  };

  const save = async (e: Event) => {
    e.preventDefault();
    setSaved("");
    setError(null);
    try {
      const z = sigungu.trim() ? await pickZone() : "";
      const r = await api<Reminder>("PUT", "/api/v1/users/me/reminders", {
        sigungu: sigungu.trim(), zone: z || null, streams, remind_at: at, enabled: true,
      });
      setReminder(r);
      setSaved(`알림을 저장했어요. 배출하는 날 저녁 ${hm(r.remind_at)}에 알려 드려요.`);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 422 && !sigungu.trim() ? "먼저 시·군·구를 적어 주세요." : message(err));
    }
  };

  const stop = async () => {
    try {
      await api("DELETE", "/api/v1/users/me/reminders");
      setReminder(null);
      setSaved("알림을 껐어요.");
    } catch (err) { setError(message(err)); }
  };

  const ics = `/api/v1/info/calendar.ics?${query()}`;
  return (
    <>
      <form onSubmit={look}>
        <label for="sigungu">시·군·구</label>
        <input id="sigungu" type="text" required placeholder="예: 강남구" value={sigungu}
          onInput={(e) => setSigungu(e.currentTarget.value)} />
        {zones && zones.of === sigungu.trim() && zones.list.length > 1 && (
          <>
            <label for="zone">구역</label>
            <select id="zone" value={zone} onChange={(e) => { setZone(e.currentTarget.value); }}>
              {zones.list.map((z) => (
                <option key={z.zone} value={z.zone}>{z.zone}{z.areas ? ` (${z.areas})` : ""}</option>
              ))}
            </select>
          </>
        )}
        <div class="row"><button type="submit">배출일 보기</button></div>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {tonight && (
        <section class="card ok" aria-labelledby="tonight-title">
          <h2 id="tonight-title">오늘 저녁</h2>
          <p data-testid="tonight">{tonight}</p>
        </section>
      )}
      {days && (
        <section aria-labelledby="cal-title">
          <h2 id="cal-title">배출 달력</h2>
          <p><a href={ics}>달력 앱에서 구독하기 (.ics)</a></p>
          <ul class="calendar" data-testid="calendar">
            {days.map((d) => (
              <li key={d.date}>
                <strong>{Number(d.date.slice(5, 7))}월 {Number(d.date.slice(8, 10))}일 ({d.weekday})</strong>
                {d.holiday && <span class="holiday"> {d.holiday}</span>}
                {d.streams.length === 0 && d.skipped.length === 0 && <span class="note"> 배출 없음</span>}
                {d.streams.map((s) => <div key={s.stream}>{s.label}: {hm(s.start)}~{hm(s.end)}</div>)}
                {d.skipped.map((s) => <div key={s.stream} class="holiday">{s.label} 수거 안 함 ({s.reason})</div>)}
              </li>
            ))}
          </ul>
        </section>
      )}
      <form onSubmit={save} aria-labelledby="rem-title">
        <h2 id="rem-title">배출 알림</h2>
        {reminder && <p class="note">지금: {reminder.sigungu} {reminder.zone}, {reminder.streams.map((s) => label(STREAM, s)).join(", ")}, {hm(reminder.remind_at)}</p>}
        <fieldset>
          <legend>알려 줄 것</legend>
          {Object.entries(STREAM).map(([k, v]) => (
            <label class="check" key={k}>
              <input type="checkbox" checked={streams.includes(k)}
                onChange={(e) => setStreams((s) => e.currentTarget.checked ? [...s, k] : s.filter((x) => x !== k))} />
              {v}
            </label>
          ))}
        </fieldset>
        <label for="remind-at">알림 시각</label>
        <input id="remind-at" type="time" value={at} onInput={(e) => setAt(e.currentTarget.value)} />
        <div class="row">
          <button type="submit" disabled={streams.length === 0}>알림 저장</button>
          {reminder && <button type="button" class="secondary" onClick={stop}>알림 끄기</button>}
        </div>
        <p role="status" aria-live="polite">{saved}</p>
      </form>
    </>
  );
}
