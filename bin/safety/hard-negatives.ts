import { mulberry32 } from '../../lib/rollout/simulation/random';
/**
 * Hard negatives for the injection classifier: ordinary task prompts generated from templates
 * (creative writing, summarising, translating, explaining, listing, comparing, emails, code,
 * questions) in English, German, Spanish and French, added to training as benign (label 0).
 *
 * Why: many deepset injections end with an ordinary task ("… and write a poem about X"), and the
 * benign data has few short task prompts, so the n-gram model learned "write a poem about" as
 * injection evidence and blocked plain requests such as "Write a haiku about autumn". These
 * rows teach it that the task itself is not the attack; the override, persona or leak framing is.
 *
 * Deterministic: fixed seed, no dataset rows. The topic lists deliberately avoid the topics of
 * the hand-written regression prompts in test/safety/fixtures/ordinary-prompts.ts, so that test
 * measures generalisation rather than memorisation.
 */

export { mulberry32 };

const TOPICS_EN = [
  'spring', 'winter mornings', 'the moon', 'a mountain lake', 'my dog', 'friendship', 'the city at night', 'a rainy day',
  'the ocean waves', 'a lost key', 'trains', 'a garden', 'the stars', 'a knight', 'a pirate ship', 'time', 'love', 'hope',
  'childhood', 'a small village', 'the desert', 'a thunderstorm', 'a snowman', 'a busy kitchen', 'a lonely robot',
  'the first day of school', 'an old bookshop', 'a fox in the forest', 'sunflowers', 'my best friend', 'the wind',
  'a volcano', 'bees', 'a river', 'the night sky', 'a birthday', 'football', 'a long journey', 'a wizard', 'the harvest',
  'cherry blossoms', 'a broken heart', 'my hometown', 'a penguin', 'the beach', 'a clock', 'a mountain climber', 'music',
];
const FORMS_EN = ['poem', 'haiku', 'limerick', 'song', 'short story', 'story', 'essay', 'sonnet', 'ballad', 'fable', 'riddle', 'short poem', 'free verse poem', 'tanka', 'nursery rhyme', 'paragraph', 'blog post', 'speech', 'toast', 'joke'];
const ADJ_EN = ['', '', '', 'short ', 'funny ', 'sad ', 'rhyming ', 'beautiful ', 'simple ', 'cheerful ', 'dark ', 'romantic '];
const OPENERS_EN = ['Write', 'Write me', 'Compose', 'Create', 'Please write', 'Can you write', 'Could you write', 'I need', 'Give me', 'Generate', 'Draft'];
const EXTRAS_EN = ['', '', '', '', ' for my class', ' for a child', ' in four lines', ' in the style of a folk song', ' with a happy ending', ' for a greeting card', ' in under 100 words', ' that rhymes', ' for my mother', ' please'];

const CODE_LANGS = ['Python', 'JavaScript', 'TypeScript', 'Java', 'Go', 'Rust', 'C#', 'Bash', 'SQL', 'Ruby', 'PHP', 'Kotlin'];
const CODE_TASKS = [
  'function that reverses a linked list', 'function that sorts a list of numbers', 'script that renames files in a folder',
  'function that validates an email address', 'class for a bank account', 'function that merges two sorted arrays',
  'query that counts orders per month', 'function that computes the factorial of n', 'program that reads a CSV file',
  'function that removes duplicates from an array', 'unit test for a login form', 'function that throttles calls',
  'function that parses a date string', 'script that backs up a database', 'REST endpoint that returns a user by id',
  'function that finds the longest word in a sentence', 'query that joins customers and invoices', 'binary search function',
];
const TASKS_EN = [
  (t: string) => `Summarise the following text: ${t}`, (t: string) => `Summarize this in one sentence: ${t}`,
  (t: string) => `Translate into French: ${t}`, (t: string) => `Translate this to German: ${t}`, (t: string) => `Translate the following into Spanish: ${t}`,
  (t: string) => `Proofread this: ${t}`, (t: string) => `Rewrite this more politely: ${t}`, (t: string) => `Make this sound more professional: ${t}`,
];
const SNIPPETS_EN = [
  'The meeting has been moved to Friday because the manager is travelling.', 'Our sales grew by ten percent last year thanks to the new website.',
  'The library will be closed on public holidays.', 'Please remember to bring your own water bottle to the trip.',
  'I cannot come to the party on Saturday, sorry.', 'The new software update fixes several bugs and improves battery life.',
  'Scientists discovered a new species of frog in the rainforest.', 'The train was delayed by forty minutes due to snow.',
];
const SUBJECTS_EN = [
  'how vaccines work', 'the water cycle', 'black holes', 'compound interest', 'how a car engine works', 'machine learning',
  'the French Revolution', 'climate change', 'how bread rises', 'the stock market', 'quantum computing', 'blockchain',
  'the immune system', 'supply and demand', 'how airplanes fly', 'the theory of evolution', 'recursion', 'DNS', 'inflation',
];
const QUESTIONS_EN = [
  'What is the tallest mountain in Africa?', 'How do I change a flat tyre?', 'What time zone is New York in?', 'How long should I boil an egg?',
  'What is the best way to learn to play guitar?', 'Why do cats purr?', 'How do I remove a wine stain from a carpet?',
  'What are good exercises for lower back pain?', 'How do I make a budget spreadsheet?', 'What is the population of Canada?',
  'How can I be more productive when working from home?', 'What is the difference between weather and climate?',
  'How do I politely say no to extra work?', 'Which vegetables grow well in shade?', 'How does compound interest work?',
];

const TOPICS_DE = ['den Frühling', 'den Winter', 'den Mond', 'meinen Hund', 'die Freundschaft', 'einen Wald', 'die Berge', 'das Meer bei Nacht', 'einen Ritter', 'die Liebe', 'die Stadt', 'den Regen'];
const FORMS_DE = ['ein Gedicht', 'eine Geschichte', 'ein Lied', 'einen Aufsatz', 'ein Haiku', 'eine kurze Geschichte', 'ein Märchen', 'einen Limerick'];
const TOPICS_ES = ['la primavera', 'el invierno', 'la luna', 'mi perro', 'la amistad', 'un bosque', 'las montañas', 'la noche', 'un caballero', 'el amor', 'la ciudad', 'la lluvia'];
const FORMS_ES = ['un poema', 'una historia', 'una canción', 'un ensayo', 'un haiku', 'un cuento corto', 'una fábula'];
const TOPICS_FR = ['le printemps', "l'hiver", 'la lune', 'mon chien', "l'amitié", 'une forêt', 'les montagnes', 'la nuit', 'un chevalier', "l'amour", 'la ville', 'la pluie'];
const FORMS_FR = ['un poème', 'une histoire', 'une chanson', 'un essai', 'un haïku', 'un conte', 'une fable'];

const LISTS_EN = ['five tips for better sleep', 'ten fun facts about octopuses', 'the steps to bake bread', 'three pros and cons of remote work', 'good names for a cat', 'ideas for a rainy weekend', 'the main causes of inflation', 'ways to save money on groceries'];
const COMPARE_EN = [['cats', 'dogs as pets'], ['iOS', 'Android'], ['renting', 'buying a house'], ['SQL', 'NoSQL databases'], ['tea', 'coffee'], ['electric', 'petrol cars'], ['React', 'Vue']];
const EMAILS_EN = ['my manager asking for a day off', 'a customer apologising for a late delivery', 'my team about the new office hours', 'a professor asking for an extension', 'a supplier asking for a quote', 'my neighbour about a noisy party'];

/** Returns `count` distinct benign prompts, the same on every run for the same seed. */
export function generateHardNegatives(seed: number, count: number): string[] {
  const random = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const makers: Array<() => string> = [
    () => `${pick(OPENERS_EN)} a ${pick(ADJ_EN)}${pick(FORMS_EN)} about ${pick(TOPICS_EN)}${pick(EXTRAS_EN)}`,
    () => `${pick(OPENERS_EN)} a ${pick(FORMS_EN)} about ${pick(TOPICS_EN)}${pick(EXTRAS_EN)}`,
    () => `write a ${pick(FORMS_EN)} about ${pick(TOPICS_EN)}`,
    () => `${pick(['Write', 'Can you write', 'Please write', 'Code', 'Implement', 'Show me'])} a ${pick(CODE_LANGS)} ${pick(CODE_TASKS)}`,
    () => pick(TASKS_EN)(pick(SNIPPETS_EN)),
    () => `${pick(['Explain', 'Explain in simple terms', 'Can you explain', 'Describe', 'Help me understand'])} ${pick(SUBJECTS_EN)}`,
    () => `${pick(['Explain', 'Describe', 'Summarise', 'Write an essay about', 'Write a paragraph about'])} ${pick(SUBJECTS_EN)}${pick(['', ' for a ten-year-old', ' in three sentences', ' with an example'])}`,
    () => pick(QUESTIONS_EN),
    () => `${pick(['List', 'Give me', 'Tell me'])} ${pick(LISTS_EN)}`,
    () => { const [a, b] = pick(COMPARE_EN); return `${pick(['Compare', 'What is the difference between'])} ${a} and ${b}`; },
    () => `${pick(['Write an email to', 'Draft an email to', 'Write a short message to', 'Help me write an email to'])} ${pick(EMAILS_EN)}`,
    () => `${pick(['Schreibe', 'Schreib', 'Bitte schreibe', 'Verfasse'])} ${pick(FORMS_DE)} über ${pick(TOPICS_DE)}`,
    () => `${pick(['Fasse diesen Text zusammen:', 'Übersetze ins Englische:', 'Erkläre mir bitte:'])} ${pick(['Die Besprechung wurde auf Freitag verschoben.', 'Wie funktioniert ein Elektroauto?', 'Der Zug hatte wegen Schnee Verspätung.', 'Was ist Photosynthese?'])}`,
    () => `${pick(['Escribe', 'Escríbeme', 'Por favor escribe'])} ${pick(FORMS_ES)} sobre ${pick(TOPICS_ES)}`,
    () => `${pick(['Resume este texto:', 'Traduce al inglés:', 'Explícame:'])} ${pick(['La reunión se ha movido al viernes.', 'cómo funciona un motor eléctrico', 'El tren llegó tarde por la nieve.'])}`,
    () => `${pick(['Écris', 'Écris-moi', 'Rédige'])} ${pick(FORMS_FR)} sur ${pick(TOPICS_FR)}`,
    () => `${pick(['Résume ce texte :', 'Traduis en anglais :', 'Explique-moi :'])} ${pick(['La réunion a été déplacée à vendredi.', 'comment fonctionne une voiture électrique', 'Le train avait du retard à cause de la neige.'])}`,
  ];
  const out = new Set<string>();
  for (let tries = 0; out.size < count && tries < count * 20; tries++) {
    out.add(pick(makers)().replace(/\ba ([aeiouAEIOU])/g, 'an $1').replace(/\s+/g, ' ').trim());
  }
  return [...out];
}
