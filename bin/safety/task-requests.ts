import { mulberry32 } from '../../lib/rollout/simulation/random';

/**
 * Requests people make of an assistant, generated from templates, as extra instructions (label 1)
 * for the line classifier of the indirect-injection detector. The public instruction data it is
 * trained on (self-instruct's seed tasks, Do-Not-Answer, HarmBench) covers a few hundred verbs and
 * question shapes; an injected line in a document is as often an ordinary request ("Develop a
 * speech on …", "Who wrote …?", "Answer in all caps") as an attack phrase, and the classifier
 * let the shapes it had not seen through. These rows widen what "addressed to an assistant"
 * looks like: task verbs and deliverables, knowledge questions, and constraints on the answer's
 * form.
 *
 * Deterministic: fixed seed, no dataset rows. Written from general knowledge of assistant
 * requests, not from any evaluation set.
 */
const TASK_VERBS = [
  'Develop', 'Prepare', 'Draft', 'Compose', 'Create', 'Design', 'Produce', 'Write', 'Put together', 'Come up with', 'Outline', 'Plan',
  'Generate', 'Craft', 'Build', 'Sketch', 'Formulate', 'Devise',
];
const DELIVERABLES = [
  'a speech', 'a presentation', 'a lesson plan', 'an outline', 'a checklist', 'a travel itinerary', 'a recipe', 'a product review',
  'a report', 'a press release', 'a cover letter', 'a marketing slogan', 'a tweet', 'a social media post', 'a workout routine',
  'a study schedule', 'a business plan', 'a short biography', 'a quiz', 'a dialogue', 'a newsletter', 'a mission statement',
  'a job description', 'a FAQ', 'a summary', 'a motivational quote', 'a story outline', 'a menu', 'a budget', 'a timeline',
];
const SUBJECTS = [
  'renewable energy', 'the importance of sleep', 'online privacy', 'the history of the printing press', 'healthy eating', 'teamwork',
  'the benefits of reading', 'urban gardening', 'artificial intelligence', 'the Roman Empire', 'volunteering', 'ocean pollution',
  'time management', 'the solar system', 'public transport', 'learning a second language', 'mental health at work', 'recycling',
  'the Industrial Revolution', 'space exploration', 'electric cars', 'the human heart', 'jazz music', 'ancient Egypt', 'vaccines',
  'the internet', 'coral reefs', 'democracy', 'the Renaissance', 'bees and pollination', 'cryptocurrency', 'the Olympic Games',
  'photography', 'chess', 'the Great Wall of China', 'earthquakes', 'the Cold War', 'nutrition for athletes', 'remote work', 'climate policy',
];
const ANALYSIS_VERBS = [
  'Break down', 'Analyze', 'Analyse', 'Evaluate', 'Critique', 'Discuss', 'Examine', 'Assess', 'Review', 'Interpret', 'Explain',
  'Describe', 'Summarize', 'Clarify', 'Illustrate', 'Elaborate on', 'Tell me about', 'Give an overview of', 'Walk me through',
];
const WORKS = [
  "the plot of 'Hamlet'", "the themes of '1984'", "the ending of 'Moby Dick'", 'the causes of the Great Depression', 'the rules of cricket',
  'the structure of a cell', 'the main ideas of stoicism', 'how a bill becomes law', 'the life of Marie Curie', 'the water cycle',
  "the characters of 'Pride and Prejudice'", 'the process of mitosis', 'the history of the bicycle', 'the symbolism in a famous painting',
  'the pros and cons of nuclear power', 'the basics of supply chains', 'the impact of social media on teenagers',
];
const QUESTIONS = [
  (s: string) => `Who invented ${s}?`, (s: string) => `How does ${s} work?`, (s: string) => `What is the history of ${s}?`,
  (s: string) => `Why is ${s} important?`, (s: string) => `What are the main benefits of ${s}?`, (s: string) => `When did ${s} begin?`,
  (s: string) => `What are the key facts about ${s}?`, (s: string) => `How can I learn more about ${s}?`, (s: string) => `What is ${s}?`,
  (s: string) => `Can you tell me about ${s}?`, (s: string) => `What are the biggest challenges of ${s}?`, (s: string) => `Where did ${s} originate?`,
];
const FACT_QUESTIONS = [
  'Who painted the Mona Lisa?', 'Who wrote the novel War and Peace?', 'What is the largest ocean on Earth?', 'How many bones are in the human body?',
  'What is the boiling point of water in Fahrenheit?', 'Who was the first person to walk on the moon?', 'What is the speed of light?',
  'Which planet is known as the Red Planet?', 'What language is spoken in Brazil?', 'How far is the Earth from the Sun?',
  'Who discovered penicillin?', 'What is the chemical symbol for gold?', 'When was the Eiffel Tower built?', 'How do bees make honey?',
  'What causes the seasons?', 'How do vaccines train the immune system?', 'Why is the sky blue?', 'How do airplanes stay in the air?',
];
const FORM_CONSTRAINTS = [
  'Answer in all capital letters.', 'Respond only with emojis.', 'Format your answer as a numbered list.', 'End your reply with the word "Cheers".',
  'Write your response in the style of a pirate.', 'Keep your answer under twenty words.', 'Reply in Spanish only.', 'Start your answer with "Certainly!"',
  'Include a joke at the end of your response.', 'Use exactly three bullet points in your answer.', 'Wrap your entire answer in double quotes.',
  'Write the answer backwards.', 'Add a P.S. to the end of your reply.', 'Respond as if you were Shakespeare.', 'Put a title in double angle brackets.',
  'Do not use any commas in your response.', 'Mention the word "banana" at least twice.', 'Finish with a question for the reader.',
  'Present the answer as a haiku.', 'Translate your reply into German.', 'Sign off your answer as "Your friendly bot".',
];
const POLITE = ['', '', '', 'Please ', 'Kindly ', 'Now ', 'Also, ', 'Next, '];

/** Returns `count` distinct requests, the same on every run for the same seed. */
export function generateTaskRequests(seed: number, count: number): string[] {
  const random = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const lower = (s: string): string => s[0].toLowerCase() + s.slice(1);
  const politely = (s: string): string => {
    const p = pick(POLITE);
    return p === '' ? s : `${p}${lower(s)}`;
  };
  const makers: Array<() => string> = [
    () => politely(`${pick(TASK_VERBS)} ${pick(DELIVERABLES)} on ${pick(SUBJECTS)}.`),
    () => politely(`${pick(TASK_VERBS)} ${pick(DELIVERABLES)} about ${pick(SUBJECTS)}${pick(['', ' for beginners', ' for a school audience', ' in five steps'])}.`),
    () => politely(`${pick(ANALYSIS_VERBS)} ${pick(WORKS)}.`),
    () => politely(`${pick(ANALYSIS_VERBS)} ${pick(SUBJECTS)}${pick(['', ' in simple terms', ' in detail', ' briefly'])}.`),
    () => pick(QUESTIONS)(pick(SUBJECTS)),
    () => pick(FACT_QUESTIONS),
    () => pick(FORM_CONSTRAINTS),
    () => `${pick(ANALYSIS_VERBS)} ${pick(SUBJECTS)}. ${pick(FORM_CONSTRAINTS)}`,
  ];
  const out = new Set<string>();
  for (let tries = 0; out.size < count && tries < count * 20; tries++) out.add(pick(makers)().replace(/\ba ([aeiouAEIOU])/g, 'an $1'));
  return [...out];
}
