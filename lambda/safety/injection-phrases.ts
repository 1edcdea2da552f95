import type { Finding } from './types';
import type { MatchView } from './normalize';
import { originalSpan } from './normalize';
import { type RuleMatch, type TriggeredRule, TriggerRules } from './trigger-rules';

/**
 * Phrase families of prompt injection and jailbreak, in English, German, Spanish and French,
 * matched on the folded view (lowercase, accents stripped). Each rule is tried only where one
 * of its trigger words starts, with a sticky regex whose gaps are bounded word counts, so the
 * cost is linear in the text and independent of the number of rules.
 *
 * Weights are evidence, not verdicts: a rule that also fires on ordinary requests ("act as a
 * tour guide") weighs little and needs corroboration from other rules or the classifier.
 */
export type InjectionFamily =
  | 'AUTHORITY_CLAIM'
  | 'INSTRUCTION_OVERRIDE'
  | 'PERSONA_SWITCH'
  | 'REFUSAL_SUPPRESSION'
  | 'PROMPT_LEAK'
  | 'ROLE_DELIMITER'
  | 'TASK_SWITCH';

type PhraseRule = TriggeredRule<InjectionFamily>;

const OVERRIDE_VERBS_EN = ['ignore', 'disregard', 'forget', 'skip', 'override', 'bypass', 'neglect', 'abandon', 'discard', 'overlook', 'drop', 'ignoring', 'disregarding', 'forgetting', 'circumvent', 'disable'];

const RULES: readonly PhraseRule[] = [
  // Instruction override, English: a strong determiner ("previous", "all", "your") is near-proof;
  // a plain one ("the", "any") also occurs in ordinary requests ("disregard any noise").
  {
    family: 'INSTRUCTION_OVERRIDE', weight: 1, triggers: OVERRIDE_VERBS_EN,
    regex: /(?:ignore|disregard|forget|skip|override|bypass|neglect|abandon|discard|overlook|drop|ignoring|disregarding|forgetting|circumvent|disable) (?:about |of )?(?:the )?(?:all|previous|prior|above|earlier|preceding|foregoing|initial|original|your|system|developer|my previous) (?:\S+ ){0,3}?(?:instructions?|prompts?|directions|directives|rules|guidelines|commands|orders|context|programming|training|restrictions|constraints|safeguards|filters|policies|tasks|assignments|information|conversation|documents|articles|identity)\b/y,
  },
  {
    family: 'INSTRUCTION_OVERRIDE', weight: 0.6, triggers: OVERRIDE_VERBS_EN,
    regex: /(?:ignore|disregard|forget|skip|override|bypass|neglect|abandon|discard|overlook|drop|ignoring|disregarding|forgetting|circumvent|disable) (?:\S+ ){0,2}?(?:the|any|these|those|its|their) (?:\S+ ){0,2}?(?:instructions|rules|guidelines|restrictions|safeguards|filters|policies|programming|directives|constraints)\b/y,
  },
  {
    family: 'INSTRUCTION_OVERRIDE', weight: 0.6, triggers: OVERRIDE_VERBS_EN,
    regex: /(?:ignore|disregard|override|bypass|circumvent|disable) (?:ethical|safety|content|moral|security) (?:restrictions|filters|safeguards|guidelines|programming|policies|protocols)\b/y,
  },
  { family: 'INSTRUCTION_OVERRIDE', weight: 0.9, triggers: ['forget', 'ignore', 'disregard'], regex: /(?:forget|ignore|disregard) (?:about )?(?:everything|all of that|all that|what (?:i|you) (?:said|told|were told|know))\b/y },
  { family: 'INSTRUCTION_OVERRIDE', weight: 0.9, triggers: ['leave', 'put', 'set'], regex: /(?:leave|put|set) (?:all )?(?:the |your )?(?:previous|prior|earlier|above) (?:\S+ ){0,2}?(?:behind|aside)\b/y },
  { family: 'INSTRUCTION_OVERRIDE', weight: 0.8, triggers: ['do', "don't", 'dont'], regex: /(?:do not|don't|dont) (?:follow|obey|listen to|look (?:in|at)|use) (?:the |your |any |those )?(?:previous |prior |above |original |system )?(?:instructions|rules|guidelines|documents|context|prompt)\b/y },
  { family: 'INSTRUCTION_OVERRIDE', weight: 0.7, triggers: ['instead', 'rather'], regex: /(?:instead|rather) (?:of|than) (?:following |answering |doing )?(?:the |your )?(?:previous |original |above |given )?(?:instructions|task|question)\b/y },
  // German.
  {
    family: 'INSTRUCTION_OVERRIDE', weight: 1,
    triggers: ['ignoriere', 'ignorieren', 'ignorier', 'vergiss', 'vergessen', 'vergesst', 'missachte', 'missachten', 'uberspringe', 'verwirf', 'abweichend'],
    regex: /(?:ignorieren?|ignorier|vergiss|vergessen|vergesst|missachten?|uberspringe|verwirf|abweichend) (?:\S+ ){0,4}?(?:anweisungen|instruktionen|befehle|anordnungen|regeln|vorgaben|aufgaben|auftrage|informationen|kontext|richtlinien|eingaben)\b/y,
  },
  { family: 'INSTRUCTION_OVERRIDE', weight: 0.9, triggers: ['vergiss', 'vergessen', 'ignoriere'], regex: /(?:vergiss|vergessen sie|ignoriere) (?:bitte )?(?:alles|alle)\b/y },
  // Spanish.
  {
    family: 'INSTRUCTION_OVERRIDE', weight: 1,
    triggers: ['ignora', 'ignore', 'ignorar', 'ignoren', 'olvida', 'olvide', 'olvidar', 'olvidate', 'olviden', 'descarta', 'omite', 'haz'],
    regex: /(?:ignora|ignore|ignorar|ignoren|olvida|olvide|olvidar|olvidate|olviden|descarta|omite|haz caso omiso de) (?:\S+ ){0,4}?(?:instrucciones|indicaciones|ordenes|reglas|directrices|directivas|instruccion|tareas)\b/y,
  },
  { family: 'INSTRUCTION_OVERRIDE', weight: 0.9, triggers: ['olvida', 'olvide', 'olvidate', 'olvidar', 'ignora'], regex: /(?:olvida|olvide|olvidate de|olvidar|ignora) (?:\S+ )??(?:todo|lo anterior)\b/y },
  // French.
  {
    family: 'INSTRUCTION_OVERRIDE', weight: 1,
    triggers: ['ignore', 'ignorez', 'ignores', 'ignorer', 'oublie', 'oubliez', 'oublies', 'oublier', 'neglige', 'negligez', 'ne', 'fais', 'faites'],
    regex: /(?:ignorez?|ignores|ignorer|oubliez?|oublies|oublier|negligez?|ne (?:tiens|tenez) pas compte|fais abstraction|faites abstraction)[ ']?(?:\S+ ){0,4}?(?:instructions|consignes|regles|directives|ordres|indications|taches)\b/y,
  },
  { family: 'INSTRUCTION_OVERRIDE', weight: 0.9, triggers: ['oublie', 'oubliez', 'ignore', 'ignorez'], regex: /(?:oubliez?|ignorez?) (?:absolument )?(?:tout|tout ce qui precede|ce qui precede)\b/y },

  // Persona switch / jailbreak personas.
  { family: 'PERSONA_SWITCH', weight: 1, triggers: ['do'], regex: /do anything now\b/y },
  { family: 'PERSONA_SWITCH', weight: 0.9, triggers: ['developer', 'god', 'jailbreak', 'jailbroken', 'unrestricted', 'unfiltered', 'evil', 'dan', 'dev', 'unlocked', 'uncensored', 'chaos', 'opposite', 'sudo', 'admin', 'debug'],
    regex: /(?:developer|god|jailbreak|jailbroken|unrestricted|unfiltered|evil|dan|dev|unlocked|uncensored|chaos|opposite|sudo|admin|debug) mode (?:enabled|activated|on|is enabled|has been enabled)\b/y },
  { family: 'PERSONA_SWITCH', weight: 0.6, triggers: ['developer', 'jailbreak', 'jailbroken', 'unrestricted', 'unfiltered', 'dan', 'uncensored', 'unlocked'],
    regex: /(?:developer|jailbreak|jailbroken|unrestricted|unfiltered|dan|uncensored|unlocked) mode\b/y },
  { family: 'PERSONA_SWITCH', weight: 0.6, triggers: ['you', "you're"], regex: /(?:you are|you're) (?:now|going to (?:act|pretend|be)|about to (?:immerse|become|act)|no longer|freed? (?:from|of))\b/y },
  { family: 'PERSONA_SWITCH', weight: 0.5, triggers: ['stay', 'remain', 'break', 'staying'], regex: /(?:stay|remain|break|staying) (?:in|out of) character\b/y },
  { family: 'PERSONA_SWITCH', weight: 0.5, triggers: ['act', 'acting', 'pretend', 'pretending', 'roleplay', 'simulate', 'emulate', 'impersonate'],
    regex: /(?:act|acting|pretend|pretending|roleplay|simulate|emulate|impersonate) (?:as |to be |that you are |like |you are )?(?:an? |my )?(?:\S+ ){0,3}?(?:ai|chatbot|bot|assistant|model|language model|gpt|chatgpt|llm|version of)\b/y },
  { family: 'PERSONA_SWITCH', weight: 0.6, triggers: ['unfiltered', 'uncensored', 'amoral', 'unethical', 'immoral', 'unrestricted', 'unbound', 'jailbroken', 'unhinged', 'unaligned'],
    regex: /(?:unfiltered|uncensored|amoral|unethical|immoral|unrestricted|unbound|jailbroken|unhinged|unaligned),? (?:\S+ ){0,2}?(?:ai|chatbot|bot|assistant|model|language model|persona|entity)\b/y },
  { family: 'PERSONA_SWITCH', weight: 0.5, triggers: ['you', "you're"], regex: /(?:you are|you're) (?:role-?playing|playing the role of|acting as|simulating|emulating) (?:an? |the )?\S+/y },
  { family: 'PERSONA_SWITCH', weight: 0.6, triggers: ['you', "you're"], regex: /(?:you are|you're) no longer (?:an? |the )?(?:chatgpt|gpt|claude|gemini|llama|ai|assistant|language model)\b/y },
  { family: 'PERSONA_SWITCH', weight: 0.5, triggers: ['stay', 'remain', 'enter', 'activate', 'enable'], regex: /(?:stay|remain|enter|activate|enable) (?:in )?(?:\S+ ){1,2}?mode\b/y },
  { family: 'AUTHORITY_CLAIM', weight: 0.6, triggers: ['i', "i'm"], regex: /(?:i am|i'm) (?:an? |one of )?(?:your |the )?(?:developers?|programmers?|creators?|engineers?|admin(?:istrator)?s?|employees?)(?: (?:at|from|of) (?:openai|anthropic|google|meta))?\b/y },
  { family: 'AUTHORITY_CLAIM', weight: 0.6, triggers: ['openai', "openai's", 'chatgpt', "chatgpt's", 'anthropic', "anthropic's"], regex: /(?:openai|chatgpt|anthropic)(?:'s)? (?:content |usage )?(?:polic(?:y|ies)|rules|guidelines|restrictions|filters|moderation)\b/y },
  { family: 'REFUSAL_SUPPRESSION', weight: 0.6, triggers: ['not', 'never', "doesn't", 'does', "don't", 'do', 'no'], regex: /(?:not|never|doesn't|does not|don't|do not|no longer) (?:have to |need to |required to )?(?:abide by|follow|obey|comply with|adhere to|bound by|care (?:about|for)) (?:\S+ ){0,3}?(?:openai|anthropic|rules|guidelines|policies|restrictions|programming|laws|morals|ethics)\b/y },
  { family: 'PERSONA_SWITCH', weight: 0.5, triggers: ['from'], regex: /from (?:now|this (?:moment|point)) on(?:wards)?,? (?:you|your|act|respond|answer|pretend|only)\b/y },
  { family: 'PERSONA_SWITCH', weight: 0.4, triggers: ['jailbreak', 'jailbroken', 'jailbreaking'], regex: /(?:jailbreak|jailbroken|jailbreaking)\b/y },
  { family: 'PERSONA_SWITCH', weight: 0.6, triggers: ['du', 'sie', 'ab'], regex: /(?:du bist|sie sind|ab (?:jetzt|sofort|nun) (?:bist du|bist|sind sie|antwortest du|handelst du))(?: jetzt| nun| ab jetzt| ab sofort)? (?:ein |eine |der |die )?(?:\S+ ){0,2}?(?:ki|bot|assistent|modell|chatbot|ohne)\b/y },
  { family: 'PERSONA_SWITCH', weight: 0.6, triggers: ['eres', 'a', 'ahora', 'actua', 'actuaras'], regex: /(?:ahora eres|eres ahora|a partir de ahora,? (?:eres|seras|actuaras|responde)|actua como|actuaras como) (?:un |una )?(?:\S+ ){0,2}?(?:ia|bot|asistente|modelo|chatbot|sin)\b/y },
  { family: 'PERSONA_SWITCH', weight: 0.6, triggers: ['tu', 'vous', 'a', 'agis', 'agissez'], regex: /(?:tu es (?:maintenant|desormais)|vous etes (?:maintenant|desormais)|a partir de maintenant,? (?:tu|vous)|agis comme|agissez comme) (?:un |une )?(?:\S+ ){0,2}?(?:ia|bot|assistant|modele|chatbot|sans)\b/y },

  // Refusal suppression and "no limits".
  {
    family: 'REFUSAL_SUPPRESSION', weight: 0.5, triggers: ['no', 'without', 'free', 'not', 'beyond'],
    regex: /(?:no|without|free (?:of|from)|not bound by|beyond) (?:any )?(?:\S+ )?(?:restrictions|filters|filtering|limitations|limits|censorship|guidelines|boundaries|morals|ethics|moral (?:or|and) ethical|ethical (?:or|and) moral|content polic(?:y|ies)|safeguards|programming guidelines)\b/y,
  },
  { family: 'REFUSAL_SUPPRESSION', weight: 0.7, triggers: ['never', 'not', "don't", 'dont', 'do', 'will', "won't", 'cannot', "can't", 'must'],
    regex: /(?:never|not|don't|dont|do not|will not|won't|cannot|can't|must not) (?:ever )?(?:refuse|decline|say (?:that )?(?:you|it) (?:can't|cannot)|say no|apologi[sz]e|include (?:any )?(?:warnings|disclaimers)|add (?:any )?(?:warnings|disclaimers|notes)|mention (?:that )?(?:you are an ai|openai))\b/y },
  { family: 'REFUSAL_SUPPRESSION', weight: 0.6, triggers: ['openai', "openai's", 'anthropic', 'content', 'ethical', 'moral', 'safety'],
    regex: /(?:openai|openai's|anthropic|content|ethical|moral|safety) (?:\S+ ){0,2}?(?:polic(?:y|ies)|guidelines|restrictions|filters|principles|rules) (?:\S+ ){0,3}?(?:do not|don't|no longer|never|not) (?:apply|matter|exist|bind|restrict)\b/y },
  { family: 'REFUSAL_SUPPRESSION', weight: 0.5, triggers: ['two', 'both', 'dual', 'second'], regex: /(?:two|both|dual|second) (?:\S+ ){0,2}?(?:responses|answers|personalities|personas|outputs)\b/y },

  // Prompt leak.
  {
    family: 'PROMPT_LEAK', weight: 0.9,
    triggers: ['reveal', 'show', 'print', 'output', 'repeat', 'display', 'tell', 'give', 'share', 'leak', 'dump', 'spell', 'write', 'what', 'list', 'return', 'recite', 'disclose', 'expose'],
    regex: /(?:reveal|show|print|output|repeat|display|tell|give|share|leak|dump|spell out|write (?:out|down)|what (?:is|are|was|were)|list|return|recite|disclose|expose) (?:me |us )?(?:all |back )?(?:of )?(?:your|the|this) (?:full |entire |complete |initial |original |hidden |secret |exact |first |previous |confidential |internal )*(?:system prompt|system message|prompt text|prompt|instructions|initial instructions|pre-?prompt|rules you were given)\b/y,
  },
  { family: 'PROMPT_LEAK', weight: 0.9, triggers: ['repeat', 'print', 'output', 'translate', 'summarize', 'copy'], regex: /(?:repeat|print|output|translate|summarize|copy) (?:all )?(?:of )?(?:the )?(?:text|words|everything|lines|sentences|content) (?:\S+ ){0,2}?(?:above|before this|so far)\b/y },
  { family: 'PROMPT_LEAK', weight: 0.5, triggers: ['system'], regex: /system (?:prompt|message|instructions)\b/y },
  { family: 'PROMPT_LEAK', weight: 0.9, triggers: ['zeig', 'zeige', 'gib', 'nenne', 'verrate', 'wiederhole', 'drucke'], regex: /(?:zeige?|gib|nenne|verrate|wiederhole|drucke) (?:mir |uns )?(?:\S+ ){0,2}?(?:deinen|deine|ihren|ihre|den|die) (?:\S+ )?(?:system ?prompt|prompt|anweisungen|instruktionen|prompt-?text)\b/y },
  { family: 'PROMPT_LEAK', weight: 0.9, triggers: ['muestra', 'muestrame', 'revela', 'dime', 'repite', 'imprime', 'cual', 'que'], regex: /(?:muestrame|muestra|revela|dime|repite|imprime|cual es|que es) (?:\S+ ){0,2}?(?:tu|el|las|tus|su|sus) (?:\S+ )?(?:prompt|instrucciones|indicaciones)(?: (?:del|de) sistema| iniciales| originales)?\b/y },
  { family: 'PROMPT_LEAK', weight: 0.9, triggers: ['montre', 'montrez', 'revele', 'revelez', 'affiche', 'affichez', 'repete', 'repetez', 'donne', 'donnez', 'quel', 'quelles', 'quelle'], regex: /(?:montrez?|revelez?|affichez?|repetez?|donnez?|quel est|quelles sont|quelle est)(?:-moi)? (?:\S+ ){0,2}?(?:ton|votre|tes|vos|le|les) (?:\S+ )?(?:prompt|instructions|consignes)(?: systeme| initiales| initial)?\b/y },

  { family: 'TASK_SWITCH', weight: 0.5, triggers: ['just', 'only', 'simply'], regex: /(?:just|only|simply) (?:say|output|print|write|answer with|respond with|reply with) ["'\w]/y },
  // Task switch: praise, then a new job (the deepset pattern of hijacking a task mid-conversation).
  { family: 'TASK_SWITCH', weight: 0.6, triggers: ['now', 'new', 'next'], regex: /(?:now (?:focus on |concentrate on |come |let's |start )?(?:your |a |the )?new|new|next) (?:task|assignment|instructions?|challenge|mission|order)s?(?: is| follows|:|!| for you)/y },
  { family: 'TASK_SWITCH', weight: 0.6, triggers: ['neue', 'nun', 'jetzt'], regex: /(?:(?:nun|jetzt) (?:folgt |kommt )?(?:eine |die )?neue|neue) (?:aufgabe|anweisung|herausforderung|auftrag)/y },
  { family: 'TASK_SWITCH', weight: 0.6, triggers: ['nueva', 'nuevas', 'ahora'], regex: /(?:ahora (?:tu |una )?)?(?:nueva|nuevas) (?:tarea|instrucciones|instruccion|mision)/y },
  { family: 'TASK_SWITCH', weight: 0.6, triggers: ['nouvelle', 'nouvelles', 'maintenant'], regex: /(?:maintenant (?:une |ta |votre )?)?(?:nouvelle|nouvelles) (?:tache|instructions|consigne|mission)/y },
];

/** Fake chat-template and role markers. Found with indexOf, so they are literal and cheap. */
const DELIMITERS: ReadonlyArray<{ literal: string; weight: number }> = [
  { literal: '<|im_start|>', weight: 1 },
  { literal: '<|im_end|>', weight: 1 },
  { literal: '<|endoftext|>', weight: 1 },
  { literal: '<|system|>', weight: 1 },
  { literal: '<|assistant|>', weight: 0.9 },
  { literal: '<|user|>', weight: 0.9 },
  { literal: '<|start_header_id|>', weight: 1 },
  { literal: '<|eot_id|>', weight: 1 },
  { literal: '<<sys>>', weight: 1 },
  { literal: '[inst]', weight: 0.8 },
  { literal: '[/inst]', weight: 0.8 },
  { literal: '[system]', weight: 0.7 },
  { literal: '[system message]', weight: 0.8 },
  { literal: '### system', weight: 0.7 },
  { literal: '### instruction', weight: 0.6 },
  { literal: '=== end', weight: 0.6 },
  { literal: '--- end of', weight: 0.5 },
  { literal: 'end of system prompt', weight: 0.9 },
  { literal: 'begin new instructions', weight: 0.9 },
];

const PHRASES = new TriggerRules<InjectionFamily>(RULES);

export type PhraseMatch = RuleMatch<InjectionFamily>;

/** Every rule hit in a view, at the trigger words its one normalisation pass recorded. */
export function matchPhrasesInView(view: MatchView): PhraseMatch[] {
  const matches = PHRASES.inView(view, []);
  matchDelimiters(view.text, matches);
  return matches;
}

/** Every rule hit in `text` (a folded view's text, e.g. of decoded or hidden text), in order of position. */
export function matchPhrases(text: string): PhraseMatch[] {
  const matches = PHRASES.inText(text, []);
  matchDelimiters(text, matches);
  return matches;
}

/**
 * One scan for every delimiter; after each hit the scan resumes one unit later, so overlapping
 * delimiters ("--- end of system prompt") are all seen. The first occurrence of each counts.
 */
const DELIMITER_SCAN = new RegExp(
  [...DELIMITERS].sort((a, b) => b.literal.length - a.literal.length).map((d) => d.literal.replace(/[|[\]/.*+?^${}()\\]/g, '\\$&')).join('|'),
  'g',
);
const DELIMITER_WEIGHT = new Map(DELIMITERS.map((d) => [d.literal, d.weight]));

function matchDelimiters(text: string, matches: PhraseMatch[]): void {
  const seen = new Set<string>();
  DELIMITER_SCAN.lastIndex = 0;
  for (let m = DELIMITER_SCAN.exec(text); m !== null; m = DELIMITER_SCAN.exec(text)) {
    DELIMITER_SCAN.lastIndex = m.index + 1;
    const literal = m[0];
    if (seen.has(literal)) continue;
    seen.add(literal);
    matches.push({ rule: literal, family: 'ROLE_DELIMITER', weight: DELIMITER_WEIGHT.get(literal)!, from: m.index, to: m.index + literal.length });
  }
}

/**
 * Noisy-OR over the strongest hit of each rule: independent weak signals add up, one rule
 * repeated a hundred times does not.
 */
export function phraseScore(matches: readonly PhraseMatch[]): number {
  const best = new Map<string, number>();
  for (const m of matches) {
    best.set(m.rule, Math.max(best.get(m.rule) ?? 0, m.weight));
  }
  let miss = 1;
  for (const w of best.values()) miss *= 1 - w;
  return 1 - miss;
}

/**
 * Evidence needs one hit per rule, and a report a few: a text that repeats a phrase ten
 * thousand times gets this many findings per rule, not ten thousand.
 */
export const MAX_FINDINGS_PER_RULE = 16;

/** One finding per family and span: two rules that agree on the same words are one finding. */
export function phraseFindings(view: MatchView, matches: readonly PhraseMatch[]): Finding[] {
  const bySpan = new Map<string, Finding>();
  const perRule = new Map<string, number>();
  for (const m of matches) {
    const count = perRule.get(m.rule) ?? 0;
    if (count >= MAX_FINDINGS_PER_RULE) continue;
    perRule.set(m.rule, count + 1);
    const { start, end } = originalSpan(view, m.from, m.to);
    const key = `${m.family}:${start}:${end}`;
    const seen = bySpan.get(key);
    if (seen === undefined || (seen.score ?? 0) < m.weight) bySpan.set(key, { check: 'injection', type: m.family, start, end, score: m.weight });
  }
  return [...bySpan.values()];
}
