"""Deterministic Dutch + English lexicon classifier for knowledge types.

:func:`classify` tells which :class:`~bot.knowledge.types.KnowledgeType` values a chat message
carries when its author used no hashtag. The rules, so a reader can predict the result:

1. **Normalise.** The text is Unicode-decomposed (NFKD), accents are dropped ("vóór" becomes
   "voor", "enquête" becomes "enquete"), it is case-folded, curly apostrophes become ``'``
   and runs of whitespace become one space. Emoji and other scripts pass through untouched.
2. **Cues.** Each type has a tuple of cues in :data:`CUES`: ``(regex, weight)`` pairs written
   against the normalised text. Patterns match word *stems*, usually without a trailing
   ``\\b``, so one cue covers inflections and Dutch compounds: ``hypothe[sz]`` matches
   "hypothese", "hypothesen", "onderzoekshypothese" and "hypotheses"; ``zittenblijv|blijven
   zitten`` covers "zittenblijven", "zittenblijvers" and "blijven zitten". Phrase cues allow
   a few words in between (``_GAP``) because Dutch word order moves the verb ("hypothesen
   opgesteld", "hebben we de cijfers per klas vergeleken").
3. **Score.** A type's score is the sum of the weights of its *distinct* cues that match
   anywhere in the text; a cue that matches twice still counts once, so a long message does
   not pile up points from one repeated word.
4. **Threshold.** A type is assigned when its score reaches :data:`THRESHOLD` (2). Weight 2
   marks a cue that is enough on its own ("onderzoeksvraag", "blijkt", "meerwaarde",
   "verplaatst"); weight 1 marks a weak cue that needs a second one ("why", a percentage,
   "meeting", a weekday), so a single ambiguous word never fires a type.
5. Types are scored independently: a message may get several types, or none (small talk).

Change the cue lists together with ``tests/data/knowledge_eval.tsv`` and check the scores
with ``python -m tests.lexicon_eval``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from bot.knowledge.types import KnowledgeType

THRESHOLD: Final = 2.0

Cue = tuple[str, float]

_WEEKDAY = (
    r"\b(?:maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
)
_MONTH = (
    r"\b(?:januari|january|februari|february|maart|march|april|mei|may|juni|june|juli|july"
    r"|augustus|august|september|oktober|october|november|december)\b"
)
_GAP = r"(?:\S+ ){0,4}"

# Hand-wrapped so each cue reads as one alternation; the formatter would give every
# fragment its own line.
# fmt: off
CUES: Final[dict[KnowledgeType, tuple[Cue, ...]]] = {
    KnowledgeType.FOCUS: (
        (r"onderzoeksvra|research questions?|centrale vraag|hoofdvraag|deelvra", 2),
        (r"\b(?:question|vraag) (?:is|was|waar|about|over|van ons|hoe|how|why|waarom|whether)", 1),
        (r"\b(?:ons|onze|our) (?:research |main |central )?(?:vraag|question)\b", 2),
        (r"probleemstelling|\b(?:het|ons|our|the) (?:probleem|problem|issue|vraagstuk)", 1),
        (r"\b(?:the |our |main )(?:issue|concern|challenge)\b|waar we mee zitten", 2),
        (r"\b(?:want|wanted|wil|willen|wilden) (?:\S+ ){0,2}(?:to )?(?:know|understand"
         r"|find out|weten|begrijpen|snappen|uitzoeken|achterhalen)", 2),
        (r"\bwaarom\b|\bwhy\b|\boorza|\bcause|verklaring|explanation", 1),
        (r"\brichten? (?:\S+ ){0,3}op\b|\bricht (?:\S+ ){0,3}op\b|\bfocus(?:sen|t)? op"
         r"|\bfocus(?:es|ing|sed)? on|\bcent(?:red|ered) on|staat (?:\S+ ){0,3}centraal", 2),
        (r"\b(?:ons|our) (?:thema|onderwerp|topic|theme|focus)|\baanleiding|reason we", 2),
        # Research verbs are weak alone: "we onderzoeken" is focus only with a subject.
        (r"\b(?:onderzoek(?:en)?|investigat\w*|looked? at|looking at|keken|gekeken|kijken"
         r"|explor\w*|tackl\w*|werk\w* aan|working on|onderzoek \S+ (?:naar|over)|ging over"
         r"|bezighoudt|gaat ons om)\b", 1),
        # Typical PLG problems; they also appear in results, hence weak.
        (r"zittenblijv|blijven zitten|doubler|repeat(?:ing)? the year|verzuim|absen|attendance"
         r"|afstro|doorstro|slagingsperc|pass rate|motivat|underperform|struggl|afhaken"
         r"|drop(?:s|ping)? (?:out|maths|\w+ after)|welbevinden|wellbeing|uitval|zorgelijk"
         r"|vastlopen|fail|lage(?:re)? (?:cijfers|slaging)|low(?:er)? (?:grades|results"
         r"|motivation)|inzakken|zakken\b|misgaat|goes wrong|te laat|\blateness|spijbel|\bskip"
         r"|(?:zo|so|te|too) (?:laag|low|weinig|few)\b|haken (?:\S+ ){0,3}af|\bbomb", 1),
        # A why-question, or wanting to find something out, is the PLG's question itself.
        (r"\b(?:waarom|why)\b[^.!]{0,200}\?|\b(?:uitzoek\w*|zoekt? (?:\S+ ){0,3}uit|zoeken"
         r" (?:\S+ ){0,3}uit|achterhal\w*|wants? to (?:know|understand|find out)|wondering why"
         r"|vragen (?:ons|zich) af|afvragen)\b", 2),
        (r"\b(?:focus|topic|thema|onderwerp|knelpunt|bottleneck)\b|\bthe (?:big |main |central )?"
         r"question\b|\bde (?:grote |centrale )?vraag\b|draait om|gaat (?:ons )?(?:erom|over)"
         r"|\bis (?:all )?about\b|revolves around|\b(?:mee )?bezig (?:met|zijn)|mee bezig"
         r"|busy with|dealing with|looks? (?:at|into)|looking into|kijk(?:t|en)? naar", 1),
        (r"\b(?:over|about|on) (?:hoe|how|why|waarom)\b|\b(?:lesson study|datateam|data team"
         r"|plg|team) (?:\S+ )?(?:over|about|on)\b", 1),
    ),
    KnowledgeType.PROCESS: (
        (r"\b(?:stap|step|fase|phase) \d|\b(?:acht|8|eight)[- ]?(?:stappen|steps?)|stappenplan", 2),
        (r"\b(?:stap|step|stappen|steps|fase|phase|cyclus|cycle)\b", 1),
        (r"datateammethode|data[- ]?team(?:s)? method|\bvolgens de|\bfollow(?:ed|ing)? the", 1),
        # A hypothesis is also reported as a result ("bleek niet te kloppen"): weak alone.
        (r"hypoth?e[sz]", 1),
        (r"(?:opstel|opgesteld|formul|toets|test|check|draft|brainstorm)\w* " + _GAP
         + r"(?:hypothe|aanname|assumption)|(?:hypothe|aanname|assumption)\w* " + _GAP
         + r"(?:op te stellen|opstellen|opgesteld|toetsen|getoetst|testen|getest|checken"
         r"|geformuleerd|formulated|tested|drafted)", 2),
        (r"datakwaliteit|data quality|\bklopp?en de (?:data|cijfers)", 2),
        (r"betrouwba|reliab|\bcomplete\b|(?:double|cross)-?check", 1),
        (r"dataverzamel|data[- ]?collect|(?:verzamel|collect)\w* " + _GAP + r"data"
         r"|data " + _GAP + r"(?:verzamel|collect)", 2),
        # "The analysis showed" is a result, "we analysed" a step; both stay weak.
        (r"analy[sz]|interpret|duiden|conclusies? trekken|draw(?:ing)? conclusions", 1),
        (r"geanalyseerd|\banaly[sz]ed\b|vergeleken|\bcompared\b", 1),
        (r"probleemdefinitie|problem definition|(?:probleem|problem) " + _GAP
         + r"(?:formul|defin)", 2),
        (r"maatregel|\bmeasures\b|\binterventie|\bintervention", 1),
        (r"evalu", 1),
        (r"lesobservatie|observatie(?:formulier|leidraad|schema)|observation (?:form|sheet)"
         r"|kijkwijzer|nagesprek|nabespreking|post-lesson|onderzoeksles|research lesson"
         r"|lesontwerp|lesson plan|casus ?leerling|case ?leerling|case (?:pupil|student)"
         r"|opnieuw (?:ge)?geven|(?:re-?teach|re-?taught)|bij de analyse|tijdens de analyse"
         r"|(?:in|during) the analysis", 2),
        (r"observ|lesson study|\bles opnieuw|teach it again|voorspel|predict", 1),
        (r"vragenlijst|questionnaire|enquete|survey|interview|\brecords?\b|registratie|export|logboek"
         r"|\bcoder|\bcoding|\bnoteert|take notes|\bnote what", 1),
        (r"onderzoeksplan|research plan|plan van aanpak|data collection plan"
         r"|hoe (?:pakken|doen|aanpakken) jullie|how (?:did|do) you", 2),
        # Sequence words only count as a pair ("the first twenty minutes" is no method); the
        # bounded gap keeps the search linear on long messages.
        (r"\b(?:eerst|first)\b.{0,200}?\b(?:daarna|toen|dan|pas|then|next|after that)\b", 1),
        (r"\bbefore (?:we|drawing)|voordat we", 1),
        # How data was cut up, where it came from, how the work was shared out.
        (r"\bper (?:klas|class|mentorgroep|leerjaar|year|vak|subject|leerling|pupil)|uitgesplitst"
         r"|naast elkaar (?:gelegd|leggen)|side by side|split (?:up|by|it)|broke (?:it )?down"
         r"|verdeeld|each (?:person|of us) (?:took|takes)|\b(?:uit|from) (?:som|somtoday"
         r"|magister|parnassys)\b|\bcod(?:ed|eren|eerden|ing)\b|uitgezet|afgenomen", 1),
        (r"voorbereid|prepared the lesson|lesvoorbereiding|uitgeschreven|wat we verwachten"
         r"|what we expect|next (?:we|step|up)\b|volgende stap|daarna gaan we|then we'?ll", 1),
    ),
    KnowledgeType.OUTCOMES: (
        (r"\bblijkt|\bbleek|\bturn(?:s|ed) out|komt naar voren|kwam naar voren", 2),
        (r"\b(?:showed|shows|laat zien|lieten zien|toont|toonde)\b", 2),
        (r"\b(?:eind)?conclusie\b|\bconclu(?:ded|sion)\b|bevinding|findings?\b", 2),
        (r"\bresulta|\bresults?\b|uitkomst|\boutcomes?\b|ontdek|discover", 2),
        (r"\b(?:we )?(?:found|vonden|zagen|saw)\b|wat we zagen|zagen we|\bzien dat|\bsee that", 2),
        (r"vorig(?:e)? jaar|last year|dan voorheen|than before|compared (?:to|with)"
         r"|vergeleken met|na de interventie|after the intervention", 1),
        (r"\d+(?:[.,]\d+)? ?%|\bpercent|\bhelft\b|\bhalf\b|kwart|quarter", 1),
        (r"\bvan \d[\d.,]*%? naar \d|\bfrom \d[\d.,]*%? to \d|\d[\d.,]* (?:punt |points? )?"
         r"(?:lager|hoger|lower|higher)", 2),
        (r"\bscoor|\bscor(?:ed|en|es)\b|gemiddeld|on average|\baverage\b", 1),
        (r"\b(?:lager|hoger|lower|higher|vaker|minder vaak|more often|less often|dan ooit"
         r"|than ever|peaks?|dip)\b", 1),
        (r"gedaald|gestegen|\bstijg|\bdaal|went (?:up|down)|\bdropped|\brose\b|increased"
         r"|decreased|halveer|verdubbel|toegenomen|afgenomen|\bfewer\b|oploopt|veranderd", 1),
        (r"\b(?:geen|no|nauwelijks|duidelijke?|significant|hardly any) (?:\S+ )?(?:verschil"
         r"|difference|samenhang|link|correlation|relation|verband|effect)", 2),
        (r"samenhang|verband|correlat|\blink between|relationship|samen te hangen", 1),
        (r"hypothe\w* " + _GAP + r"(?:bevestigd|verworpen|verwerpen|klopt|kloppen|confirmed"
         r"|rejected|doesn't hold|does not hold|holds\b)", 2),
        (r"opvallend|striking|surpris|verrassend|bemoedigend|encouraging", 1),
        (r"\b(?:cijfers|scores|grades|marks)\b|\bbeter\b|\bbetter\b|\bfailed\b|gezakt|zakten"
         r"|\bpassed\b|geslaagd|\bhaalden\b|behaald|achieved|deden (?:\S+ ){0,3}mee|doen"
         r" (?:\S+ ){0,3}mee|joined in|participat|omhoog|omlaag|improved|verbeterd|this time"
         r"|deze keer|dit keer|na de aanpassing|after the change", 1),
        # What was seen, in so many words: counts of pupils, "it went better", "you see it in".
        (r"\b(?:only|maar|slechts|just) (?:\d+|one|two|three|four|five|six|seven|eight|nine"
         r"|ten|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|een paar|a few) (?:\S+ )?(?:pupils"
         r"|students|leerlingen|kids)|\b\d+ (?:of|van) (?:the |de )?\d+\b|zie(?:n)? je (?:\S+ )?"
         r"terug|terug te zien|you (?:can )?see it in|\bwent (?:way |much |a lot )?better"
         r"|ging(?:en)? (?:\S+ )?beter|liep (?:\S+ )?beter|(?:het )?l(?:ag|igt) (?:niet |vooral )?"
         r"aan\b|\bit'?s (?:mostly|mainly|not the)\b|\bit wasn'?t the\b|(?:barely|hardly"
         r"|nauwelijks|amper) (?:\S+ )?(?:changed|veranderd|moved|omhoog|gestegen)"
         r"|didn'?t hold|did not hold|klopte niet|\d+(?:[.,]\d+)? ?% (?:of|van|never|nooit"
         r"|did|had|failed|zakte|haalde)\b", 2),
        (r"(?:veel )?meer leerlingen|more (?:pupils|students)|fewer (?:pupils|students)"
         r"|minder leerlingen|almost all|bijna alle|de meeste|most (?:pupils|students)|niemand"
         r"|nobody", 1),
    ),
    KnowledgeType.BENEFITS: (
        (r"samenwerk|collaborat|work(?:ing)? together|werken samen|samen (?:te )?werken"
         r"|samen (?:lessen|les)", 1),
        (r"(?:beter|better|meer|more|veel) (?:\S+ ){0,2}(?:samen|together|collaborat"
         r"|met elkaar|with each other)", 2),
        (r"onderbuik|gut feeling|gut instinct|op basis van (?:data|feiten)|op feiten"
         r"|(?:based|act) on (?:data|evidence|facts)|data-?informed|datagedreven"
         r"|in plaats van aannames|instead of assumptions|not to jump", 2),
        (r"opgeleverd|oplevert|\bbrings\b|\bbrought\b|\bgain\b|winst|\bwin\b|meerwaarde"
         r"|waardevol|valuable|added value|de moeite waard|worth it|veel aan gehad|eigenaar"
         r"|ownership|geeft (?:\S+ )?energie|gives (?:\S+ )?energy", 2),
        (r"geleerd|\blearn(?:ed|t)\b|taught (?:me|us)|van elkaar|from each other", 2),
        (r"\bleer|\blearn", 1),
        (r"professionele ontwikkeling|professional (?:development|growth)|shared language"
         r"|gedeelde taal|common language|culture of", 2),
        (r"reflect|kritisch|critical|bewust|\baware|ontwikkel|\bgrow", 1),
        (r"vertrouw|\btrust|veilig|\bopen(?:er)?\b|hecht|closer|verbind"
         r"|energie|energy|confident|zelfvertrouwen|inspir|enthousias|durven|\bdare", 1),
        # Cause-and-effect framing ("dankzij", "since we started") marks what the work brings.
        (r"dankzij|thanks to|door het datateam|since we (?:started|began)|\bsinds we"
         r"|hierdoor|daardoor|because of (?:this|it)|made it possible|helped (?:me|us)"
         r"|changed|made a (?:\S+ )?difference|verschil gemaakt|for the better|vooruit"
         r"|er (?:\S+ )?door (?:geworden|gegroeid)", 1),
        (r"\b(?:more|much more|meer|veel meer) (?:\S+ )?(?:reflect|critical|kritisch|bewust"
         r"|aware|open|confident|zeker)|kritischer|bewuster|\bi(?:'ve| have) become"
         r"|ben \S+ geworden|through the eyes|door de ogen|leer\w* kijken"
         r"|learn\w* to (?:see|look)", 1),
        (r"\bgesprek|conversation|elkaars|each other", 1),
        (r"levert (?:\S+ ){0,3}op\b|anders (?:naar|kijken|kijk)|differently|andere bril"
         r"|different lens|new lens|scheelt (?:\S+ ){0,3}tijd|saves? (?:\S+ ){0,3}time"
         r"|tijdwinst|(?:krijg|get|got|gives?|geeft)\w* (?:\S+ ){0,3}(?:energie|energy)"
         r"|\bik leer\b|\bwe leren\b|leerzaam|learn\w* (?:so much|a (?:lot|ton))|\bi learn"
         r"|professionalisering|\bpd\b|made me (?:notice|see|realise|realize|think)|eye-?opener"
         r"|opened my eyes|\bown (?:this|it)\b|eigenaarschap|not (?:another )?top-?down"
         r"|bottom-?up|scherper|sharper|changing how i|changed how i|verandert hoe ik"
         r"|samen (?:na te denken|nadenken|puzzelen|praten|leren)|think(?:ing)? together"
         r"|(?:leren|learn) (?:\S+ ){0,2}(?:met|with|van|from) (?:\S+ ){0,2}(?:collega|colleague"
         r"|elkaar|each other)|(?:samenwerk|collaborat|work together|werken samen)\w* (?:\S+ )"
         r"{0,3}(?:beter|better|more|meer)", 2),
        (r"reflect\w* (?:\S+ )?(?:veel )?(?:meer|more)|nuttig|useful|zinvol|made (?:us|me)\b"
         r"|in plaats van|instead of|gekregen|uitproberen|try(?:ing)? (?:new )?things", 1),
        (r"\bik merk|i (?:notice|feel|see)|het mooie|the (?:best|great) thing|it's great"
         r"|great to see|the (?:biggest|bigger|real) (?:gain|win)", 1),
    ),
    KnowledgeType.ORGANISATION: (
        (r"verplaatst|verzet\b|\bmoved?\b|reschedul|verschuiv|schuiven (?:\S+ ){0,6}op\b"
         r"|postpone|uitgesteld|afgelast|cancel", 2),
        (r"bijeenkomst|\bmeeting|\bsessions?\b|sessie|vergadering|\boverleg|studiedag"
         r"|studiemiddag|briefing", 1),
        (r"\b(?:volgende|next|eerste|first) (?:bijeenkomst|meeting|session|sessie)", 2),
        (_WEEKDAY, 1),
        (_MONTH + r"|\b\d{1,2}(?:st|nd|rd|th)\b|\b\d{1,2}-\d{1,2}\b", 1),
        (r"\b\d{1,2}(?::\d\d)? ?(?:pm|am|uur)\b|\b\d+e uur|\bperiod \d|\bhet \d+e", 1),
        (r"\b(?:book|reserve|reserveren|boeken)\b|overnem|invallen|cover (?:my|for)"
         r"|take (?:over )?my class|\b\d+(?:e|ste|de) (?:(?:of|en) \d+(?:e|ste|de) )?uur\b"
         r"|wie (?:neemt|doet|regelt|maakt|zorgt)|who(?:'s| is) (?:\S+ )?(?:taking|doing"
         r"|bringing)|\bgeen (?:bijeenkomst|meeting|sessie|plg)|\bno (?:meeting|session)"
         r"|gaat niet door|valt uit|\bis off\b", 2),
        (r"reserve|\blokaal|\broom\b|\bzaal\b|\baula\b|mediatheek|library|\b\d\.\d\d\b", 1),
        (r"\b\d{1,2}[:.]\d\d\b|\bhour\b|\buur\b|\bweek \d+|morgen|tomorrow|vanmiddag"
         r"|this afternoon|volgende week|next (?:week|time)|overmorgen|week erna|the week after"
         r"|\bplan (?:de|het|die|ze|maar)\b|middag|afternoon|ik zorg|zorg(?:t|en)? (?:\S+ ){0,2}"
         r"voor|koffie|coffee|uitdraai|hand-?outs|neem\w* (?:\S+ ){0,4}mee\b", 1),
        # Bare "minutes" is usually a duration ("the first twenty minutes"), not notes.
        (r"\bagenda\b|notulen|(?:the|and|take|taking) minutes|minutes (?:of|from)|uitnodiging"
         r"|\binvit|doodle|\bpoll\b|beschikbaar|availability", 2),
        (r"facilit|taakbelasting|taakuren|normjaartaak|vrijgeroosterd|protected time"
         r"|roostermaker", 2),
        (r"\brooster|timetable|tussenuur|\buren\b|\bhours\b|budget|\bfund|invaller|\bcover\b", 1),
        (r"vakantie|holiday|half-term|summer break|toetsweek|exam week", 1),
        (r"ingepland|inplannen|\bplannen\b|planning|\bgepland\b|\bplanned\b|schedul", 1),
        (r"schoolleiding|directie|management|principal|teamleider|the board|\bboard\b"
         r"|begeleider|\bchair\b|voorzitter|on leave", 1),
        (r"vergeet niet|reminder|don't forget|graag (?:\S+ ){0,4}(?:voor|invullen)|please"
         r"|\binvullen|fill in|\bstuur|\bsend\b|gestuurd|aanleveren", 1),
        (r"wie (?:neemt|doet|regelt|maakt)|who(?:'s| is) (?:taking|doing|bringing)|\bregel"
         r"|arrange|organis|organiz|printen|\bprint|laptop|meenemen|\bbring\b|online doen"
         r"|gedeelde map|shared (?:folder|drive)|\bteams\b|toegezegd|agreed to", 1),
    ),
}
# fmt: on

_COMPILED: Final = tuple(
    (kind, tuple((re.compile(pattern), weight) for pattern, weight in cues))
    for kind, cues in CUES.items()
)
_WHITESPACE: Final = re.compile(r"\s+")
_APOSTROPHES: Final = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})


def normalise(text: str) -> str:
    """Lower-case, accent-free, single-spaced text that the cue patterns are written for."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WHITESPACE.sub(" ", stripped.casefold().translate(_APOSTROPHES)).strip()


def scores(text: str) -> dict[KnowledgeType, float]:
    """Each type's score: the summed weights of its distinct cues found in ``text``."""
    normal = normalise(text)
    return {
        kind: sum(weight for pattern, weight in cues if pattern.search(normal))
        for kind, cues in _COMPILED
    }


def classify(text: str) -> KnowledgeType:
    """The knowledge types whose score reaches :data:`THRESHOLD`; ``NONE`` for small talk."""
    result = KnowledgeType.NONE
    for kind, score in scores(text).items():
        if score >= THRESHOLD:
            result |= kind
    return result
