"""The words around a name that say what it is to the person: a part still on the item, a
part taken off, where the thing goes, a modifier of another noun, "only this part".

The lexicon (``lexicon``) reads them right after each alias it finds; the classifier reads
``REMOVAL_LATER`` too. Regular expressions over the compact text (no spaces) unless said.
"""

from __future__ import annotations

import re

# Words after a part's name that mean "the part is still on the item", not "I mean the part".
ATTACHED = re.compile(
    r"^\S*\s*(안 |못 |다 |칼로 |잘라서? )?"
    r"(붙|있|달린|달려|포함|채|째|그대로|닫|떼|뗀|뗐|뜯|제거|벗|빼|뺀|뺐|분리|잘라|따로|떨어)"
)
# After an alias, words that say the person took that thing off or out ("라벨 뗐어", "펌프 빼고",
# "테이프 제거", and the usual misspellings "띠고", "뺏어"): it is a part that was separated, not
# the item the text is about.
REMOVED = re.compile(
    r"^(을|를|은|는|도|만|이랑|하고)?(다|칼로|잘라서?|깨끗이)?"
    r"(떼|뗀|뗐|뗌|띠고|띤|띴|뜯|제거|벗기|벗긴|벗겼|벗김|빼|뺀|뺐|뺏|뺌|분리|잘라|깠|깜|발라"
    # "뚜껑 따고" opens the cap off ("따로" is not: apart, "뚜껑 따로 모은 거").
    r"|따고|땄|딴(?![가-힣]))"
)
# "털" (shake) is not a removal: "라면봉지 털어서" shakes the bag out, which is the item.
# After an alias, words that make it where the thing goes or what it is not, not the thing:
# "종이로 버려도 돼?", "음쓰 아니야?", "헌옷함 안 되지?", "페트 칸에 넣어", "생수 말고 식혜";
# also what the item was wrapped in ("신문지에 쌌어", "신문지로 감쌌어").
DESTINATION = re.compile(
    r"^(이|가|을|를|은|는)?("
    r"(으로|로|에|에다|칸에?|류로|류에|통에|수거함에?)(버|넣|내놓|내|모아|분리|배출|가|들어가|들어감|싸|쌌|쌈|감싸|감쌌|담아|담았)"
    r"|(수거)?함|말고|아니|아닌|아님|아냐"
    # What the item is compared with, or thrown in with: "유리병이랑 같이 버려도 돼?".
    r"|(이랑|랑|하고|와|과)같이(버|넣|내|모아|배출|분리|들어|가|묶))"
)
# The fee sticker of bulky waste, asked about or bought ("소파 버리려면 스티커 얼마야?",
# "스티커 사서 붙이면 돼?"): the thing is the item it goes on, not a sticker thrown away.
FEE_STICKER = re.compile(r"^(는|은|값|비|가격|도)?(얼마|사야|사서|사고|사면|구매|구입|발급|어디서)")
STICKER = "스티커"
# After the name of a stream itself, a question whether the item belongs there: "커피 찌꺼기
# 음쓰야?", "계란 껍데기 음식물 맞지?", "이거 일반쓰레기임?". The stream is asked about, not thrown.
# The streams by the names people give them ("이거 투명페트야?", "고철 아냐?"); a text naming
# nothing else still falls back to them.
STREAMS_ASKED_ABOUT = (
    "음식물",
    "일반쓰레기",
    "종량제",
    "고철",
    "캔류",
    "투명페트",
    "투명페트병",
    "페트",
    "종이팩",
    "종이류",
    "플라스틱",
    "플라스틱류",
    "비닐류",
    "비닐",
    "종이",
    "캔",
    "유리",
    "스티로폼",
    "불연성",
    "재활용",
    "대형폐기물",
    "폐건전지",
)
STREAM_QUESTION = re.compile(
    r"^(이야|야|이에요|예요|에요|이여|여|인가|인지|이지|이죠|죠|맞|이냐|냐|임|이니|니|인거|인데|이라|라고"
    r"|아냐|아니|아님|아닌)"
)
# Names of a kind of thing, not a thing (``evidence.GENERIC`` says more): a stream asked about
# says more of what the thing is than these do ("투명 병 이건 무색페트 맞아?").
KIND_NAMES = frozenset({"용기", "포대", "종이", "그릇", "병", "박스", "봉지"})
# A removal later in the same clause ("라벨이랑 내용물 다 뺐어요"): the part was taken off.
REMOVAL_LATER = re.compile(
    r"(떼었|떼어|떼냄|떼낸|뗐|뗀|뗌|띠고|띴|뜯었|뜯어|뜯음|뜯은|제거|벗겼|벗김|벗긴|벗겨|뺐|뺏|뺀|뺌|빼고"
    r"|분리|깠|깜|따고|땄)"
)
# "까고" after a part peels it off the item ("라벨 까고 투페 칸에"); said of a wrapper alone
# ("포장지 다 까고 모아놨어") it opens the wrapper, which stays the thing, so only a part's
# focus reads it.
PEELED = re.compile(r"까고|까서")
# After an alias, words that make it a modifier of another item ("음식물 묻은 비닐",
# "간장 들어있던 페트병", "박스 테이프 붙은 상자"): the item is the other noun.
MODIFIER = re.compile(
    r"^(이|가|을|를|은|는)?(붙|달린|달려|묻|뭍|들어|들은|담긴|담겨|담았|있던|든|감긴|에서|으로|로만든|재질)"
)
# After an alias, a word of place: the thing named is where the item was, not the item
# ("상자 안에 있던 하얀 폼", "키친타월 가운데 심지", "신문 사이에 끼워온 광고지").
PLACE = re.compile(r"^(안에|안의|안쪽|속에|속의|가운데|사이에)")
ACCESSORIES = (
    "테이프",
    "송장",
    "스티커",
    "라벨",
    "비닐",
    "철핀",
    "스테이플러",
    "호치키스",
    "뚜껑",
    "빨대",
    "펌프",
    "랩",
    "끈",
    "고무줄",
    "손잡이",
    "비닐 커버",
    "비닐 창",
)
# After a part's name: "only this" ("뚜껑만", "펌프 부분만"), the part is the thing meant.
ONLY = re.compile(r"^(\s?(부분|쪽))?만")
