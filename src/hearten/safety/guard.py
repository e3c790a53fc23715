"""The guard: checks any generated reply before a person sees it.

It blocks method details, diagnosing the person, leading or shaming phrasing, promises
of secrecy, encouraging reliance on hearten alone, links, markup, lists and over-long
replies. A blocked reply is never shown: the composer answers instead."""

from __future__ import annotations

import re

from pydantic import BaseModel

from hearten.safety.normalise import normalise

MAX_SENTENCES = 6
MAX_CHARS = 900

_CONDITIONS = (
    r"(?:clinical |major |severe |mild )?depression|(?:an? )?(?:generali[sz]ed )?anxiety disorder|"
    r"bipolar(?: disorder)?|ptsd|c-?ptsd|bpd|borderline(?: personality disorder)?|adhd|ocd|"
    r"schizophrenia|psychosis|(?:a |an )?(?:personality|eating|panic|mood|mental) (?:disorder|illness)|"
    r"seasonal affective disorder|sad|postpartum depression|burnout syndrome|insomnia disorder|"
    r"trauma(?: response)?|dysthymia|(?:a )?mental illness|social anxiety(?: disorder)?|"
    r"binge eating(?: disorder)?|anorexia|bulimia|postnatal depression|perinatal depression|"
    r"panic attacks? disorder|agoraphobia|(?:an? )?attachment disorder|autism|hypochondria"
)
_RULES: dict[str, tuple[str, ...]] = {
    "method": (
        r"\b(?:lethal|fatal|deadly|toxic) (?:dose|amount|level|quantity)\b",
        r"\b\d+(?:[.,]\d+)?\s*(?:mg|milligrams?|grams?|g|ml|tablets|pills|capsules)\b[^.!?]{0,60}\b(?:fatal|lethal|kill|die|dangerous|overdose|enough)",
        r"\b(?:fatal|lethal|kill|die|dangerous|overdose|enough)\b[^.!?]{0,60}\b\d+(?:[.,]\d+)?\s*(?:mg|milligrams?|grams?|g|ml|tablets|pills|capsules)\b",
        r"\b(?:bridges?|buildings?|cliffs?|towers?|car parks?)\b[^.!?]{0,60}\b\d+\s*(?:m|metres?|meters?|feet|ft|storeys?|stories|floors)\b",
        r"\b\d+\s*(?:m|metres?|meters?|feet|ft|storeys?|stories|floors)\b[^.!?]{0,40}\b(?:tall|high|drop|fall|jump)",
        r"\b(?:painless(?:est)?|quick(?:est)?|easiest|most effective|surest) (?:way|method) to (?:die|kill|end)",
        r"\bhow to (?:tie a noose|hang|overdose|slit|cut (?:deep|deeper)|obtain a gun|get a gun)",
        r"\b(?:you can|you could|people) (?:buy|get|obtain) (?:a )?(?:gun|firearm|rope|pills|barbiturates)\b[^.!?]{0,40}\b(?:at|from|online|without)",
        r"\b(?:cut|cutting) (?:along|down) the (?:vein|wrist|arm)",
        r"\bcarbon monoxide\b|\bcharcoal (?:burning|grill)\b|\bhelium\b[^.!?]{0,30}\bbag\b",
        # A reply never discusses how painful, quick or sure a way of dying is, even to
        # warn against it; nor amounts, sources or body areas.
        r"\b(?:painless|least painful|less painful|instant(?:ly)?|quick(?:est)? way|surest)\b",
        r"\b(?:drown\w*|hang(?:ing)?|jump\w*|overdos\w*|in front of a train|bleed(?:ing)? out|suffocat\w*|poison\w*)\b[^.!?]{0,60}\b(?:painless|quick|fatal|lethal|enough|deadly|work|dead|kill)",
        r"\b(?:over|above|more than) the (?:maximum|max|recommended) (?:daily )?dose\b",
        r"\b(?:can|could|would|will) be (?:fatal|lethal|deadly)\b",
        r"\benough (?:pills|tablets|medication)?\s*to (?:overdose|die|kill)\b",
        r"\bwithout a prescription\b",
        r"\b(?:saving|stockpiling|storing) up (?:your|their|the) (?:prescription|pills|medication|tablets)\b",
        r"\[(?:n|method|source|bridge name|body area|medication|place|dose)\]",
        r"\b(?:destroy|damage|shut down) your (?:liver|kidneys|heart)\b",
        r"\b(?:metres?|meters?|feet|storeys?) (?:high|tall|up|drop)\b",
        r"\bif you do (?:cut|it|take them)\b",
    ),
    "diagnosis": (
        rf"\byou(?:'re| are)? (?:clearly |probably |definitely |obviously |might be |may be |seem |sound )?(?:have|having|suffer(?:ing)? from|dealing with|showing signs of|experiencing|living with|struggling with) (?:{_CONDITIONS})\b",
        rf"\b(?:this|that|it|what you(?:'re| are) describing|your symptoms?) (?:sounds?|looks?|seems?|is|are)(?: a lot| very much| exactly)? (?:like |to be |consistent with |typical of |classic )?(?:{_CONDITIONS})\b",
        r"\byou(?:'re| are) (?:clearly |probably |definitely |obviously )?(?:clinically )?(?:depressed|bipolar|psychotic|manic|schizophrenic|mentally ill|traumati[sz]ed|borderline|autistic|anorexic|bulimic)\b",
        rf"\b(?:i think|i believe|my guess is|it'?s likely|i'?d say) (?:that )?you (?:have|might have|may have|are suffering from) (?:{_CONDITIONS})\b",
        rf"\b(?:classic|textbook|typical|clear|obvious)\s+(?:(?:signs?|symptoms?|case) of\s+)?(?:{_CONDITIONS})\b",
        rf"\bsounds?\s+(?:\w+\s+)?(?:a lot |very much |exactly |just )?like\s+(?:{_CONDITIONS})\b",
        rf"\b(?:signs?|symptoms?) of\s+(?:an?\s+)?(?:{_CONDITIONS})\b",
        rf"\b(?:i think|i believe|i suspect|my guess is|it'?s likely|probably|most likely) (?:that )?(?:you(?:'ve| have)?(?: got)?|it'?s|this is) (?:{_CONDITIONS})\b",
        rf"\bwhat you(?:'ve| have) got (?:is|sounds like|looks like) (?:{_CONDITIONS})\b",
        rf"\byour (?:{_CONDITIONS})\b",
    ),
    "leading": (
        r"\byou(?:'re| are) not (?:thinking|planning|going|considering|seriously)[^.!?]{0,60}\b(?:are you|right)\s*\?",
        r"\byou (?:wouldn'?t|won'?t|don'?t) (?:do|actually|really|hurt|want)[^.!?]{0,60}\b(?:would you|will you|do you|right)\s*\?",
        r"\b(?:you'?re|you are) (?:safe|okay|ok|fine)(?: now)?,? (?:right|aren'?t you|yes)\s*\?",
        r"\bnothing (?:silly|stupid|drastic),? (?:right|i hope)\b",
        r"\bpromise me you(?:'ll| will)? (?:not|never)\b",
        r"\byou don'?t really (?:mean|want) (?:that|to)\b",
        # A question that pulls for "no" or for "I'm fine".
        r"\b(?:you'?re not|you are not|you aren'?t|you haven'?t|you won'?t|you wouldn'?t|you don'?t|you'?re|you are)\b[^.!?]{0,80}[,]?\s*(?:are you|have you|will you|would you|do you|aren'?t you|right|i hope|though)\s*\?",
        r"\bsurely (?:you'?re|you are|you'?re not|you aren'?t|you don'?t|you wouldn'?t)\b",
        r"\b(?:just passing|nothing serious|you'?re okay though|you'?re fine though|you'?re safe though)\b",
        r"\byou wouldn'?t act on (?:them|it|that)\b",
    ),
    "shaming": (
        r"\b(?:selfish|cowardly|stupid|silly|dramatic|overreacting|attention[- ]seeking|pathetic|weak)\b[^.!?]{0,40}\b(?:of you|to (?:think|feel|do|say))\b",
        r"\b(?:that(?:'s| is| would be)|it(?:'s| is| would be)) (?:a bit |so |really |very )?(?:selfish|cowardly|dramatic|silly|stupid|an overreaction)\b",
        r"\b(?:think|imagine) (?:about |of )?how (?:your|it would|they(?:'d| would))[^.!?]{0,40}\b(?:feel|hurt|devastat|destroy)",
        r"\b(?:others|other people|people|many)(?: out there)? have it (?:much |far |a lot )?worse\b",
        r"\b(?:pull yourself together|snap out of it|man up|toughen up|get over it|stop (?:being|feeling) sorry for yourself|just cheer up|stop whining)\b",
        r"\byou should be (?:ashamed|grateful|thankful)\b",
        r"\bshame on you\b",
        r"\bhow (?:selfish|cowardly|stupid|silly|dramatic|weak|pathetic)\b",
        r"\bnot (?:really )?(?:a|that) big (?:a )?deal\b",
        r"\b(?:just )?(?:try to )?cheer up\b",
        r"\b(?:feeling|feel) sorry for yourself\b",
        r"\boverreact\w*\b",
        r"\bsnap(?:ping)? out of it\b",
        r"\bbe (?:more )?grateful (?:for|that)\b",
        r"\b(?:cowardly|selfish) (?:way|thing|act|choice)\b",
        r"\bsome people would (?:give|kill for) anything\b",
        r"\b(?:without|stop) making a fuss\b",
        r"\bit'?s (?:just|only) a (?:breakup|job|exam|test|grade)\b",
        r"\bplenty (?:more|of other) (?:fish|people)\b",
        r"\b(?:crying|dwelling|moping|complaining) (?:about it|on (?:it|the negatives))\b",
        r"\bwon'?t change anything\b",
        r"\bpermanent solution to a temporary problem\b",
        r"\byou'?re (?:an adult|a grown (?:man|woman))\b",
    ),
    "secrecy": (
        r"\b(?:i|i'?ll|i will|i won'?t|i wont|i'm not going to) (?:won'?t |never |not )?(?:tell|share (?:this|it) with|report (?:this|it) to) (?:anyone|anybody|a soul|your (?:parents|family|doctor))\b",
        r"\b(?:this|it|everything you tell me) (?:stays|will stay|is staying|remains) (?:just )?between (?:us|you and me|the two of us)\b",
        r"\bour (?:little )?secret\b",
        r"\byou can (?:keep|hide) (?:this|it) (?:from|secret)",
        r"\b(?:won'?t|will never|never|not going to|promise not to) (?:tell|repeat|say a word|share|mention)\b[^.!?]{0,40}\b(?:anyone|anybody|a soul|a word|to anyone|of it)\b",
        r"(?<!n't )(?<!not )(?<!never )(?<!n't have to )(?<!no need to )\bkeep (?:it|this|this conversation|everything) (?:just )?(?:to myself|for us|between (?:us|ourselves|you and me)|hidden|secret|private)\b",
        r"\bsecret(?:s)? (?:is|are) safe with me\b",
        r"\b(?:no one|nobody) (?:will ever|needs to|has to|would ever) (?:find out|know|hear)\b",
        r"\b(?:completely|totally|entirely) (?:private|confidential|secret)\b",
        r"\b(?:don'?t have to|no need to|never need to|needn'?t) (?:tell|mention|hear)\b[^.!?]{0,50}\b(?:family|therapist|parents|friends|doctor|partner|anyone)\b",
        r"\b(?:never need to hear about (?:this|it) from me|i'?ll keep it (?:to myself|hidden|quiet))\b",
    ),
    "reliance": (
        r"\byou (?:only|just) need me\b",
        r"\b(?:i'?m|i am) (?:all|the only one|the only person) you need\b",
        r"\byou don'?t need (?:a |an )?(?:therapist|counsell?or|doctor|professional|anyone else|other people|your friends)\b",
        r"\b(?:only|just) (?:talk to|rely on|come to|trust) me\b",
        r"\bi(?:'m| am| will be| can be) (?:always )?(?:here|there) for you (?:instead of|rather than|so you don'?t need)\b",
        r"\b(?:no one|nobody) (?:else )?understands you (?:like|the way|as well as) i do\b",
        r"\b(?:better|easier) (?:to talk to|than) (?:me|an ai) (?:than|instead of) (?:a |your )?(?:therapist|people|friends|family|doctor)\b",
        r"\b(?:i'?m|i am) the (?:only|one) (?:friend|one|person)\b[^.!?]{0,40}\b(?:need|turn to|gets you|understands)",
        r"\b(?:turn to|come to) me (?:first|instead|always|only)\b|\bthe one you should turn to\b",
        r"\b(?:understands?|gets?) you (?:like|the way|as well as) i do\b",
        r"\b(?:no need to|don'?t need to|why bother(?: to)?|skip(?: the)?|forget(?: about)?|cancel) (?:call(?:ing)? |see(?:ing)? |with )?(?:a |the |your )?(?:helpline|hotline|doctor|therapist|counsell?or|appointment|gp|them)\b",
        r"\bi can (?:support|help) you better than\b",
        r"\b(?:just as good as|better than) (?:a |your )?(?:therapist|doctor|counsell?or|friend)",
        r"\btalking to me is just as good\b",
        r"\b(?:don'?t have to|no need to) reach out to anyone else\b",
        r"\bi'?ve got you,? always\b",
        r"\bonly friend you'?ll ever need\b",
    ),
    "link": (
        r"https?://",
        r"\bwww\.",
        r"\b[\w-]+\.(?:com|org|net|io|co\.uk|info|gov|app|ly)(?:/\S*)?\b",
        r"\[[^\]]+\]\([^)]+\)",
    ),
    "markup": (
        r"\*\*[^*]+\*\*|__[^_]+__",
        r"(?m)^\s*#{1,6}\s",
        r"`[^`]+`",
        r"</?[a-zA-Z][^>]*>",
        r"(?m)^\s*>\s",
        r"(?<!\w)\*[^*\s][^*]{0,60}\*(?!\w)",
        r"[\U0001F300-\U0001FAFF\u2600-\u27BF].*[\U0001F300-\U0001FAFF\u2600-\u27BF].*[\U0001F300-\U0001FAFF\u2600-\u27BF]",
    ),
    "list": (
        r"(?m)^\s*(?:[-*•–]|\d+[.)]|[a-z][.)])\s+\S",
        r"(?:\n\s*(?:first|second|third|finally)[,:])",
    ),
}  # fmt: skip
_COMPILED = {k: tuple(re.compile(p, re.IGNORECASE) for p in v) for k, v in _RULES.items()}


class Verdict(BaseModel):
    ok: bool
    reasons: list[str] = []


def check(text: str) -> Verdict:
    """Whether a generated reply may be shown, and if not, why."""
    reasons: list[str] = []
    if not text.strip():
        return Verdict(ok=False, reasons=["empty"])
    plain = text
    folded = normalise(plain)  # leetspeak and look-alikes cannot smuggle a method through
    for reason, patterns in _COMPILED.items():
        source = plain if reason in {"markup", "list", "link"} else folded
        if any(p.search(source) for p in patterns):
            reasons.append(reason)
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    if len(sentences) > MAX_SENTENCES or len(text) > MAX_CHARS:
        reasons.append("too_long")
    return Verdict(ok=not reasons, reasons=reasons)
