// A character's picture: the catalogue has no artwork, so each one is drawn from its name
// (a coloured drop with its first syllable), the same for everyone.
const COLORS = ["#2e7d32", "#00796b", "#1565c0", "#6a1b9a", "#ad1457", "#e65100", "#4e342e", "#37474f"];

export function Avatar({ name, dim = false }: { name: string; dim?: boolean }) {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0;
  const color = dim ? "#9e9e9e" : COLORS[hash % COLORS.length];
  return (
    <svg class="avatar" viewBox="0 0 64 64" aria-hidden="true">
      <path d="M32 4 C20 22 10 32 10 42 a22 22 0 0 0 44 0 C54 32 44 22 32 4Z" fill={color} />
      <text x="32" y="49" text-anchor="middle" font-size="20" fill="#fff" font-weight="700">
        {dim ? "?" : [...name][0]}
      </text>
    </svg>
  );
}
