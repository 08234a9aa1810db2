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
  if ([...password].length < MIN_PASSWORD_LENGTH) return `Mật khẩu cần ít nhất ${MIN_PASSWORD_LENGTH} ký tự`;
  if (password.trim() !== password) return 'Mật khẩu không được bắt đầu hoặc kết thúc bằng dấu cách';
  const result = strengthChecker().check(password, userInputs.filter(Boolean));
  if (result.score < MIN_SCORE) {
    return 'Mật khẩu quá dễ đoán (mật khẩu phổ biến, mẫu đơn giản hoặc tên của chính bạn); hãy dùng một cụm từ dài gồm các từ không liên quan';
  }
  return null;
}
