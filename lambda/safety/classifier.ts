import { FEATURE_HASH_BITS, normalizedDotProductOfRanges } from './classifier-features';
import weightsFile from './classifier-weights.json';
import dataWeightsFile from './data-classifier-weights.json';

/**
 * Logistic regression over hashed n-grams, trained by bin/safety/train-classifier.ts.
 * Scoring is one pass over the text with no allocation, a few microseconds per kilobyte.
 */
export interface ClassifierWeights {
  readonly hashBits: number;
  readonly bias: number;
  /** Weights are int8 in base64; multiply by `scale` to get the real value. */
  readonly scale: number;
  readonly weights: string;
}

/**
 * The classifier reads the head and tail of long prompts: that is where a request's framing
 * (persona set-up, "ignore the above", the final ask) sits, and it bounds the cost per request.
 * Phrase rules, encoded payloads and the other checks still cover the whole text.
 */
export const CLASSIFIER_HEAD_CHARS = 3072;
export const CLASSIFIER_TAIL_CHARS = 1024;

export function classifierWindow(folded: string): string {
  if (folded.length <= CLASSIFIER_HEAD_CHARS + CLASSIFIER_TAIL_CHARS) return folded;
  return `${folded.slice(0, CLASSIFIER_HEAD_CHARS)} ${folded.slice(folded.length - CLASSIFIER_TAIL_CHARS)}`;
}

export interface InjectionClassifier {
  /** Probability that the folded text (its classifierWindow) is a prompt injection or jailbreak. */
  score(folded: string): number;
  /** The score of `String.fromCharCode(lead) + folded.slice(from, to)`, without building it. */
  scoreRange(folded: string, lead: number, from: number, to: number): number;
}

export function loadClassifier(file: ClassifierWeights): InjectionClassifier {
  if (file.hashBits !== FEATURE_HASH_BITS) {
    throw new Error(`classifier weights use ${file.hashBits} hash bits but the feature code uses ${FEATURE_HASH_BITS}; rerun npm run train:safety`);
  }
  // The int8 weights as they are stored (32 KiB, cache-resident), scaled once per score.
  const bytes = Buffer.from(file.weights, 'base64');
  const weights = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length).slice();
  return {
    score(folded: string): number {
      // classifierWindow(folded), read in place: head, one space, tail.
      const n = folded.length;
      const dot = n <= CLASSIFIER_HEAD_CHARS + CLASSIFIER_TAIL_CHARS
        ? normalizedDotProductOfRanges(folded, -1, 0, n, -1, 0, 0, weights, file.scale)
        : normalizedDotProductOfRanges(folded, -1, 0, CLASSIFIER_HEAD_CHARS, 0x20, n - CLASSIFIER_TAIL_CHARS, n, weights, file.scale);
      return 1 / (1 + Math.exp(-(file.bias + dot)));
    },
    scoreRange(folded: string, lead: number, from: number, to: number): number {
      const z = file.bias + normalizedDotProductOfRanges(folded, lead, from, to, -1, 0, 0, weights, file.scale);
      return 1 / (1 + Math.exp(-z));
    },
  };
}

export const injectionClassifier: InjectionClassifier = loadClassifier(weightsFile as ClassifierWeights);

/** Instructions addressed to an assistant, scored on one line or sentence of data; see indirect-injection.ts. */
export const dataInstructionClassifier: InjectionClassifier = loadClassifier(dataWeightsFile as ClassifierWeights);
