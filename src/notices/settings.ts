import { loadConfig, type Config } from '../config.js';

/** What issuing needs from configuration. */
export interface NoticeSettings {
  unitCode: string;
  dueDays: number;
}

export function noticeSettings(config: Pick<Config, 'NOTICE_UNIT_CODE' | 'NOTICE_DUE_DAYS'>): NoticeSettings {
  return { unitCode: config.NOTICE_UNIT_CODE, dueDays: config.NOTICE_DUE_DAYS };
}

let fromEnv: NoticeSettings | undefined;

/** Settings of this process's environment, for callers of the fixed three-argument issueNotice contract. */
export function processNoticeSettings(): NoticeSettings {
  return (fromEnv ??= noticeSettings(loadConfig()));
}
