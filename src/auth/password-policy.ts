import zxcvbnCore from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';

export const MIN_PASSWORD_LENGTH = 12;
/** zxcvbn score 3: about 10^8 guesses or more, out of reach of an online guesser held back by the login limiter. */
const MIN_SCORE = 3;

let checker: InstanceType<typeof zxcvbnCore.ZxcvbnFactory> | undefined;

function strengthChecker() {
  // the dictionaries (common passwords, names, words, keyboard patterns) are loaded once, on first use
  checker ??= new zxcvbnCore.ZxcvbnFactory({ dictionary: { ...zxcvbnCommon.dictionary }, graphs: zxcvbnCommon.adjacencyGraphs });
  return checker;
}

/**
 * Why a password is refused, or null when it is acceptable: too short, spaces around it, or easy to
 * guess (a common password, a keyboard run, a repeat, or built from the user's own name).
 */
export function passwordWeakness(password: string, userInputs: string[] = []): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `a password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.trim() !== password) return 'a password may not start or end with spaces';
  const result = strengthChecker().check(password, userInputs.filter(Boolean));
  if (result.score < MIN_SCORE) {
    return 'this password is too easy to guess (a common password, a simple pattern or your own name); use a longer phrase of unrelated words';
  }
  return null;
}
