import { useEffect, useState } from "preact/hooks";
import { api, message } from "../api";
import { CATEGORY, RARITY, label } from "../labels";
import { Avatar } from "./Character";

interface Character { key: string; name: string; category: string | null; rarity: string; description: string }
interface Owned { character: Character; acquired_at: string }

export function Collection() {
  const [all, setAll] = useState<Character[] | null>(null);
  const [owned, setOwned] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    Promise.all([
      api<Character[]>("GET", "/api/v1/characters"),
      api<Owned[]>("GET", "/api/v1/users/me/characters"),
    ]).then(([catalogue, mine]) => {
      setAll(catalogue);
      setOwned(new Set(mine.map((o) => o.character.key)));
    }).catch((e) => setError(message(e)));
  }, []);

  if (error) return <p class="error" role="alert">{error}</p>;
  if (!all) return <p role="status">불러오는 중…</p>;
  const have = all.filter((c) => owned.has(c.key));
  const missing = all.filter((c) => !owned.has(c.key));
  return (
    <>
      <p>{all.length}명 중 <strong>{have.length}명</strong>을 만났어요.</p>
      <h2>만난 친구</h2>
      {have.length === 0 ? <p class="note">아직 없어요. 물건을 찍어 보세요!</p> : (
        <ul class="grid" data-testid="owned">
          {have.map((c) => (
            <li key={c.key}>
              <Avatar name={c.name} />
              <div><strong>{c.name}</strong></div>
              <div class="note">{label(CATEGORY, c.category) || "마스코트"} · {label(RARITY, c.rarity)}</div>
            </li>
          ))}
        </ul>
      )}
      <h2>아직 못 만난 친구</h2>
      <ul class="grid" data-testid="missing">
        {missing.map((c) => (
          <li key={c.key} class="missing">
            <Avatar name={c.name} dim />
            <div>{c.category ? `${label(CATEGORY, c.category)}을(를) 찍으면 만나요` : "특별한 친구"}</div>
          </li>
        ))}
      </ul>
    </>
  );
}
