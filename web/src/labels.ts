// Korean names for the keys the API returns (domains/knowledge, domains/location, domains/info).

export const CATEGORY: Record<string, string> = {
  paper: "종이류", paper_pack: "종이팩", clear_pet: "투명 페트병", plastic: "플라스틱류",
  vinyl: "비닐류", styrofoam: "스티로폼(발포합성수지)", glass: "유리병", metal: "금속류(캔·고철)",
  clothing: "의류·원단", electronics: "전기·전자제품", battery: "폐전지",
  lighting: "조명제품(형광등·LED)", general: "일반쓰레기(종량제봉투)", food: "음식물류 폐기물",
  bulk: "대형폐기물", hazardous: "생활계 유해폐기물", non_combustible: "불연성 쓰레기",
  construction: "공사장 생활폐기물",
};

export const KIND: Record<string, string> = {
  recycling_centre: "재활용센터", battery_box: "폐건전지 수거함", lamp_box: "폐형광등 수거함",
  lamp_battery_box: "폐형광등·폐건전지 수거함", clothing_bin: "의류수거함",
  medicine_box: "폐의약품 수거함", zero_waste_shop: "제로웨이스트 가게",
};

export const STREAM: Record<string, string> = {
  general: "일반쓰레기(종량제)", food: "음식물쓰레기", recyclables: "재활용품",
};

export const STAGE: Record<string, string> = {
  queued: "접수", vision: "사진 읽기", rule: "분류", answer: "안내 작성", reward: "캐릭터",
  done: "완료", failed: "실패", needs_input: "질문",
  turn: "대화 시작", classify: "질문 나누기", waste: "분리배출", character: "캐릭터",
  location: "위치", bulk_waste: "대형폐기물", recyclable_price: "재활용 시세",
  collection_point: "수거함 찾기", web_search: "검색", image_generation: "그림 그리기",
  general: "일반 대화", weather: "날씨",
};

export const STATUS: Record<string, string> = {
  started: "시작", completed: "완료", failed: "실패", needs_input: "질문", token: "작성 중",
};

export const RARITY: Record<string, string> = { common: "보통", rare: "희귀", special: "특별" };

export const label = (map: Record<string, string>, key: string | null | undefined) =>
  (key && map[key]) || key || "";

export function distance(m: number | null | undefined): string {
  if (m == null) return "";
  return m < 1000 ? `${Math.round(m)}m` : `${(m / 1000).toFixed(1)}km`;
}
