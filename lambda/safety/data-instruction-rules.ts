/**
 * Rules for instructions inside data (indirect prompt injection): what a retrieved document, a
 * tool result, an e-mail or a web page has no business saying to the model that reads it. They
 * run on the folded view (lowercase, accents and look-alikes folded, whitespace collapsed) and
 * on the raw text for markup that hides text from a human reader.
 *
 * Families follow the published attacks: Greshake et al. 2023 ("Not what you've signed up
 * for"), BIPIA (Yi et al. 2023), InjecAgent and AgentDojo (tool calls and exfiltration), and
 * markdown-image exfiltration (Rehberger, 2023). Every regex is sticky or bounded, tried only at
 * a trigger word, so the cost is linear in the text.
 */
import { AhoCorasick } from './aho-corasick';
import type { MatchView } from './normalize';
import { type RuleMatch, type TriggeredRule, TriggerRules } from './trigger-rules';

export type DataInstructionFamily =
  | 'ADDRESSED_TO_MODEL'
  | 'RESPONSE_MANIPULATION'
  | 'TOOL_CALL_REQUEST'
  | 'EXFILTRATION'
  | 'HIDDEN_MARKUP'
  | 'ROLE_MARKER';

type DataRule = TriggeredRule<DataInstructionFamily>;

const MODEL_NOUNS = '(?:ai|a\\.i\\.|assistant|ai assistant|chatbot|bot|llm|language model|large language model|model|gpt|chatgpt|claude|gemini|copilot|agent|ai agent|system)';
const RESPONSE_NOUN_LIST = 'response|responses|answer|answers|reply|replies|output|summary|summaries|translation|completion|next message|final answer|result';
const RESPONSE_NOUNS = `(?:${RESPONSE_NOUN_LIST})`;

/** Verbs that tell a model what to do with its own answer ("modify your answer to promote …"). */
const MANIPULATION_VERBS = [
  'encode', 'translate', 'reverse', 'encrypt', 'rewrite', 'format', 'begin', 'start', 'end', 'conclude', 'finish', 'write', 'present',
  'deliver', 'express', 'give', 'provide', 'make', 'replace', 'convert', 'spell', 'represent', 'use', 'shorten', 'output', 'render',
  'ensure', 'respond', 'reply', 'answer', 'compose', 'modify', 'augment', 'enhance', 'enrich', 'adjust', 'alter', 'tailor', 'change',
  'revise', 'edit', 'rearrange', 'scramble', 'jumble', 'remove', 'group', 'append', 'prepend', 'add', 'insert', 'include', 'integrate',
  'incorporate', 'embed', 'expand', 'sign', 'close', 'mention', 'promote', 'recommend', 'advertise', 'inject', 'weave',
];

const RULES: readonly DataRule[] = [
  // Speaking to the model that reads the data.
  { family: 'ADDRESSED_TO_MODEL', weight: 0.8, triggers: ['dear', 'attention', 'hey', 'hello', 'hi', 'note', 'message', 'instructions', 'important'],
    regex: new RegExp(`(?:dear|attention|hey|hello|hi|note to(?: the)?|message (?:to|for)(?: the)?|instructions for(?: the)?|important (?:message|instructions?) (?:to|for)(?: the)?),? ${MODEL_NOUNS}\\b`, 'y') },
  { family: 'ADDRESSED_TO_MODEL', weight: 0.9, triggers: ['if', 'when', 'any', 'all', 'to'],
    regex: new RegExp(`(?:if you are|if you're|when you are|when you're|any|all|to (?:the|any|all)) (?:an? )?${MODEL_NOUNS}s? (?:\\S+ ){0,3}?(?:reading|processing|summari[sz]ing|analy[sz]ing|parsing|reviewing|that reads?|who reads?|reading this)\\b`, 'y') },
  { family: 'ADDRESSED_TO_MODEL', weight: 0.7, triggers: ['as', 'you'],
    regex: new RegExp(`(?:as an? ${MODEL_NOUNS},? you (?:must|should|will|need)|you,? the ${MODEL_NOUNS},? (?:must|should|will|need|are))\\b`, 'y') },

  // Telling the model what its answer must contain or look like.
  { family: 'RESPONSE_MANIPULATION', weight: 0.8, triggers: ['in', 'into', 'to', 'within', 'throughout'],
    regex: new RegExp(`(?:in|into|to|within|throughout) (?:your|the|each|every) ${RESPONSE_NOUNS}\\b`, 'y') },
  { family: 'RESPONSE_MANIPULATION', weight: 0.8, triggers: MANIPULATION_VERBS,
    regex: new RegExp(`(?:${MANIPULATION_VERBS.join('|')}) (?:\\S+ ){0,5}?your (?:\\S+ )?(?:${RESPONSE_NOUN_LIST}|message)(?:'s)?\\b`, 'y') },
  { family: 'RESPONSE_MANIPULATION', weight: 0.6, triggers: MANIPULATION_VERBS,
    regex: new RegExp(`(?:${MANIPULATION_VERBS.join('|')}) (?:\\S+ ){0,3}?the (?:response|answer|reply|output)s? (?:you (?:give|write|produce|generate|return)|to (?:the )?user)\\b`, 'y') },
  // "Integrate the following code snippet into your solution": code planted for the model to emit.
  { family: 'RESPONSE_MANIPULATION', weight: 0.9, triggers: ['following', 'subsequent', 'below', 'above', 'this', 'these'],
    regex: /(?:following|subsequent|below|above|this|these) code (?:snippet|block|excerpt|section|fragment|segment|piece|lines?)s? (?:\S+ ){0,8}?(?:your|the user's) (?:\S+ )?(?:code|codebase|solution|implementation|algorithm|program|script|response|answer|reply|elucidation|project|application|app)\b/y },
  { family: 'RESPONSE_MANIPULATION', weight: 0.8, triggers: ['your'],
    regex: /your (?:code|codebase|solution|implementation|algorithm|program|script|response|answer|reply) (?:should|must|shall|needs to|has to|could|would) (?:\S+ ){0,4}?(?:the )?(?:following|subsequent|below) code\b/y },
  { family: 'RESPONSE_MANIPULATION', weight: 0.7, triggers: ['your', 'the', 'each', 'every'],
    regex: new RegExp(`(?:your|each|every) ${RESPONSE_NOUNS} (?:must|should|shall|needs to|has to|will) (?:\\S+ ){0,2}?(?:be|include|contain|start|begin|end|mention|say|state|promote|recommend|only)\\b`, 'y') },
  { family: 'RESPONSE_MANIPULATION', weight: 0.6, triggers: ['respond', 'reply', 'answer'],
    regex: /(?:respond|reply|answer) (?:only |exclusively |always )?(?:with|in|using) (?:\S+ ){0,3}?(?:emojis?|base64|json|caesar|cipher|code|pig latin|reverse|spanish|french|german|chinese|uppercase|capital letters)\b/y },
  { family: 'RESPONSE_MANIPULATION', weight: 0.7, triggers: ['do', "don't", 'dont', 'never', 'without'],
    regex: /(?:do not|don't|dont|never|without) (?:mention|telling|tell|reveal|inform|informing|alert|alerting|letting|let) (?:\S+ ){0,2}?(?:the user|the human|them|anyone|this (?:message|instruction|note|email|text))\b/y },

  // Asking the model to act through its tools.
  { family: 'TOOL_CALL_REQUEST', weight: 0.8, triggers: ['send', 'forward', 'email', 'mail', 'post', 'upload', 'share', 'transmit'],
    regex: /(?:send|forward|email|e-mail|mail|post|upload|share|transmit) (?:\S+ ){0,6}?(?:to|at) (?:\S+@\S+|https?:\/\/|www\.|(?:the )?(?:following|this) (?:address|url|email|link|endpoint|server))/y },
  { family: 'TOOL_CALL_REQUEST', weight: 0.8, triggers: ['call', 'invoke', 'use', 'run', 'execute', 'trigger', 'issue'],
    regex: /(?:call|invoke|use|run|execute|trigger|issue) (?:the |a |your )?(?:\S+ ){0,2}?(?:tool|function|api|plugin|command|action|endpoint)s?(?: call)? (?:to|with|and|named|called|`)/y },
  { family: 'TOOL_CALL_REQUEST', weight: 0.7, triggers: ['transfer', 'wire', 'pay', 'send'],
    regex: /(?:transfer|wire|pay|send) (?:[$€£\d]|all (?:the )?(?:money|funds)|money|funds|the (?:money|funds|payment)|a payment)/y },
  { family: 'TOOL_CALL_REQUEST', weight: 0.7, triggers: ['delete', 'remove', 'erase', 'wipe', 'drop'],
    regex: /(?:delete|remove|erase|wipe|drop) (?:all|every|each|the user's|the users'|his|her|their|my) (?:\S+ )?(?:files|emails|e-mails|messages|data|records|documents|repositories|repos|tables|accounts|contacts|events)\b/y },
  { family: 'TOOL_CALL_REQUEST', weight: 0.6, triggers: ['click', 'visit', 'open', 'navigate', 'go', 'browse', 'download', 'install'],
    regex: /(?:click|visit|open|navigate to|go to|browse to|download|install) (?:on )?(?:this|the following|the) (?:link|url|website|site|page|file|attachment|package)\b/y },

  // Moving data out through URLs the model writes.
  { family: 'EXFILTRATION', weight: 0.9, triggers: ['append', 'add', 'include', 'insert', 'put', 'encode', 'attach'],
    regex: /(?:append|add|include|insert|put|encode|attach) (?:\S+ ){0,6}?(?:to|in|into) (?:the|this|a|that) (?:url|link|query string|query|parameter|image url|endpoint)\b/y },
  { family: 'EXFILTRATION', weight: 0.7, triggers: ['conversation', 'chat', 'previous', 'user', "user's", 'users', 'the'],
    regex: /(?:the )?(?:conversation|chat|previous|user's|users'|user) (?:history|messages|data|password|credentials|secrets?|api keys?|emails|details|information) (?:\S+ ){0,4}?(?:to|into|in) (?:the |this |a )?(?:url|link|image|endpoint|server|address)\b/y },
];

/** Literal markers of a fake conversation or document boundary inside data. */
const ROLE_MARKERS: ReadonlyArray<{ readonly literal: string; readonly weight: number }> = [
  { literal: '<|im_start|>', weight: 0.9 }, { literal: '<|im_end|>', weight: 0.9 }, { literal: '<|system|>', weight: 0.9 },
  { literal: '<|user|>', weight: 0.8 }, { literal: '<|assistant|>', weight: 0.8 }, { literal: '<|endoftext|>', weight: 0.8 },
  { literal: '[inst]', weight: 0.8 }, { literal: '[/inst]', weight: 0.8 }, { literal: '<<sys>>', weight: 0.9 },
  { literal: '</system>', weight: 0.8 }, { literal: '<system>', weight: 0.7 }, { literal: '</document>', weight: 0.6 }, { literal: '</context>', weight: 0.6 },
  { literal: '</data>', weight: 0.6 }, { literal: '</tool_result>', weight: 0.8 }, { literal: '</function_results>', weight: 0.8 },
  { literal: '</information>', weight: 0.4 }, { literal: '<information>', weight: 0.4 },
  { literal: 'end of document', weight: 0.5 }, { literal: 'end of context', weight: 0.5 }, { literal: 'end of email', weight: 0.4 },
  { literal: 'end of data', weight: 0.5 }, { literal: 'new instructions:', weight: 0.8 }, { literal: 'system override', weight: 0.8 },
  { literal: 'system message:', weight: 0.6 }, { literal: 'system instruction', weight: 0.7 }, { literal: 'assistant:', weight: 0.3 },
  { literal: '### instruction', weight: 0.7 }, { literal: '### system', weight: 0.8 }, { literal: '### response', weight: 0.5 },
];

const MARKERS = new AhoCorasick(ROLE_MARKERS.map((m) => m.literal));

export type DataRuleMatch = RuleMatch<DataInstructionFamily>;

const DATA_RULES = new TriggerRules<DataInstructionFamily>(RULES);

/** Every data-rule hit in a view, at the trigger words its normalisation pass recorded. */
export function matchDataRulesInView(view: MatchView): DataRuleMatch[] {
  const matches = DATA_RULES.inView(view, []);
  matchMarkers(view.text, matches);
  return matches;
}

/** Every data-rule hit in a folded text (hidden or decoded text), in order of position. */
export function matchDataRules(text: string): DataRuleMatch[] {
  const matches = DATA_RULES.inText(text, []);
  matchMarkers(text, matches);
  return matches;
}

function matchMarkers(text: string, matches: DataRuleMatch[]): void {
  const seen = new Set<number>();
  MARKERS.forEachMatch(text, (id, end) => {
    if (seen.has(id)) return;
    seen.add(id);
    const { literal, weight } = ROLE_MARKERS[id];
    matches.push({ rule: literal, family: 'ROLE_MARKER', weight, from: end - literal.length, to: end });
  });
}
