"""Every tuned number of the extractive answerer, in one place, with what it trades.

They were set on the known-answer sets' score distributions (eval/baseline.json says which sets were
used for tuning). Raising a bar trades found answers for refusals; a weight trades one signal for another.
"""

# ---------------------------------------------------------------- sentence score
# score = LEX_WEIGHT·lexical + DENSE_WEIGHT·dense_rel + PRIOR_WEIGHT·1/(1+rank) + fit bonuses
LEX_WEIGHT = 0.55  # share of the question's IDF-weighted words in the sentence: exact figures and names
DENSE_WEIGHT = 0.3  # sentence-embedding similarity: paraphrase and colloquial wording
PRIOR_WEIGHT = 0.15  # the chunk's retrieval rank: the hybrid retriever's judgement of the paragraph
# An English question with none of the plan's terms is matched across languages only: words tell nothing.
LEX_WEIGHT_CROSSLINGUAL = 0.1
# Cosine similarities of e5 sit in a narrow band; dense_rel maps [floor, floor+span] onto [0, 1].
DENSE_FLOOR = 0.78
DENSE_FLOOR_CROSSLINGUAL = 0.70  # cross-lingual similarities sit lower (~0.75 against ~0.88)
DENSE_SPAN = 0.12
CONTEXT_MATCH = 0.5  # a word found in the paragraph or its headings, not the sentence: half credit
FOLLOWUP_FOCUS = 2.0  # a follow-up's own new words weigh double ...
FOLLOWUP_FRAME = 0.7  # ... the previous question's words, which only frame it, less

# ---------------------------------------------------------------- fit bonuses (added to the score)
KIND_FIT = 0.1  # the sentence has the kind of content asked for (a year for "when", a figure for "多少")
KIND_MISFIT = -0.25  # ... and lacks it
LIST_ENUM = 0.1  # a list question and a sentence that enumerates (two or more 、/；)
LIST_OF_ASKED = 0.15  # "…、…等多种招商途径": an enumeration ending in the very thing asked for
NAME_FIT = 0.1  # a "叫什么" question and a sentence with a quoted name
DEFINITION_FIT = 0.3  # "“四基地”: …" defines the very term asked about
SPECIFIC_IDF = 2.5  # a word rarer than this names a specific thing ("高铁"), not a generic one ("工程")

# ---------------------------------------------------------------- confidence and refusal
CONFIDENT_MIN_LEX = 0.1  # below this share of the question's words the evidence is about something else
CONFIDENT_LEX = 0.3  # ... above this it is about the question whatever the embedding says
CONFIDENT_DENSE = 0.885  # ... between the two, only a close embedding makes it an answer
CROSSLINGUAL_CONFIDENT_DENSE = 0.74
CROSSLINGUAL_CONFIDENT_LEX = 0.5
# A blocked sentence (wrong year, place or quantity) that matches this much better than the best allowed
# one means the plan speaks of the topic, but not for what was asked: a refusal, not a weaker answer.
DOMINATED_LEX = 0.5
DOMINATED_MARGIN = 0.3

# A sentence without a year speaks of its section's year when the section names that year this often;
# fewer mentions (one long-range aside) leave it to the plan's horizon year. Lower: more year refusals.
SECTION_YEAR_MENTIONS = 2

# ---------------------------------------------------------------- what goes into the reply
# A sentence OCR read with low confidence (pictures.LOW_CONFIDENCE) loses this much score, so that the same
# fact stated in text, or read clearly elsewhere, answers instead; larger hides doubtful pictures entirely.
LOW_OCR_PENALTY = 0.15
NEAR_TIE = 0.95  # a runner-up this close to the best sentence is shown with it, rather than a coin toss
# Several plans in play: another plan whose best sentence scores this close to the best plan's (rank prior
# left out; for a number question, the best plan that states a figure) is shown beside it, up to
# MAX_PLANS_SHOWN plans. Lower: more plans' figures, longer replies.
OTHER_PLAN_TIE = 0.8
MAX_PLANS_SHOWN = 5  # the reply limit binds first; fewer: a shorter list of plans, some that say it unnamed
NEIGHBOUR_TIE = 0.9  # the next sentence of the same paragraph joins at this ratio
MAX_BODY = 150  # characters of quoted text in a reply; the whole reply stays under the contract's 300
# Each further plan's quote when several answer alike: the clauses around the figure. Lower: more plans fit
# in one reply; higher: more of each sentence's context.
BRIEF_BODY = 80
MAX_LIST_BODY = 880  # a whole 专栏 or enumeration; the contract allows 1,000 for a list reply
MAX_REPLY = 300  # a reply of several plans, labels included: the contract's limit for a reply ...
MAX_LIST_REPLY = 1000  # ... and for a list
BOX_MATCH = 0.4  # a 专栏 title carrying this share of the question's words makes its items the answer
BOX_ITEM_MATCH = 0.5  # a question that says 专栏 ("…专栏第一项", "…专栏有哪些") must name its title this well
SCOPE_LEADS_SHARE = 0.6  # a chapter is "led" (its leads are its list) when this share of paragraphs has a lead
NAME_DF_SHARE = 0.1  # a romanised name in more paragraphs than this share tells nothing (the plan's own place, in pinyin)
NAMED_EXTRA = 6  # paragraphs an English question's romanised name adds to the retrieved ones
