import { useState } from "preact/hooks";
import { api, message } from "../api";
import { KIND, distance, label } from "../labels";

interface Place { id: number | null; kind: string | null; name: string; address: string; distance_m: number | null; open_now: boolean | null; accepts: string[]; phone?: string | null }
interface Facility { hours: { weekday: [string, string] | null; saturday: [string, string] | null; holiday: [string, string] | null; closed_days: string | null } }

const hm = (t: string) => t.slice(0, 5);
const span = (w: [string, string] | null) => (w ? `${hm(w[0])}~${hm(w[1])}` : null);

export function Near() {
  const [kind, setKind] = useState("");
  const [places, setPlaces] = useState<Place[] | null>(null);
  const [hours, setHours] = useState<Record<number, string>>({});
  const [status, setStatus] = useState("");
  const [error, setError] = useState<string | null>(null);

  const search = () => {
    setError(null);
    if (!("geolocation" in navigator)) {
      setError("이 브라우저는 위치를 알려 주지 않아요.");
      return;
    }
    setStatus("위치를 확인하는 중…");
    navigator.geolocation.getCurrentPosition(
      async (pos) => {
        const { latitude: lat, longitude: lon } = pos.coords;
        const q = new URLSearchParams({ lat: String(lat), lon: String(lon), radius_m: "5000", limit: "20" });
        if (kind) q.append("kind", kind);
        try {
          const found = await api<Place[]>("GET", `/api/v1/locations/nearby?${q}`);
          setPlaces(found);
          setStatus(`${found.length}곳을 찾았어요.`);
          // Hours are on each facility's own record: fetch them for what is listed.
          for (const p of found.filter((x) => x.id !== null)) {
            api<Facility>("GET", `/api/v1/locations/${p.id}`).then((f) => {
              const h = f.hours;
              const text = [span(h.weekday) && `평일 ${span(h.weekday)}`, span(h.saturday) && `토 ${span(h.saturday)}`,
                span(h.holiday) && `휴일 ${span(h.holiday)}`, h.closed_days && `휴무 ${h.closed_days}`].filter(Boolean).join(" · ");
              setHours((m) => ({ ...m, [p.id!]: text || "항상 열려 있어요" }));
            }).catch(() => undefined);
          }
        } catch (err) {
          setError(message(err));
          setStatus("");
        }
      },
      () => {
        setStatus("");
        setError("위치를 알 수 없어요. 브라우저에서 위치 권한을 허용해 주세요.");
      },
      { timeout: 10000 },
    );
  };

  return (
    <>
      <label for="kind">종류</label>
      <select id="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
        <option value="">전체</option>
        {Object.entries(KIND).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
      </select>
      <div class="row"><button type="button" onClick={search}>내 위치에서 찾기</button></div>
      <p role="status" aria-live="polite">{status}</p>
      {error && <p class="error" role="alert">{error}</p>}
      <p class="note">지도 타일 서버가 설정되지 않아 목록으로 보여 드려요.</p>
      {places && places.length === 0 && <p>5km 안에 찾은 곳이 없어요.</p>}
      {places && places.length > 0 && (
        <ol class="places" aria-label="가까운 순서">
          {places.map((p) => (
            <li key={`${p.id}-${p.name}`} data-testid="place">
              <strong>{p.name}</strong> <span>{distance(p.distance_m)}</span>
              <div>{label(KIND, p.kind) || "장소"} · {p.address}</div>
              <div>
                {p.open_now === true && <span class="open">지금 열려 있어요</span>}
                {p.open_now === false && <span class="closed">지금은 닫혀 있어요</span>}
                {p.open_now === null && <span class="note">운영 시간 정보 없음</span>}
                {p.id !== null && hours[p.id] && <span class="note"> · {hours[p.id]}</span>}
              </div>
              {p.accepts.length > 0 && <div class="note">받는 것: {p.accepts.join(", ")}</div>}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
