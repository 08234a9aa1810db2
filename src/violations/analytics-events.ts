import { VEHICLE_CATEGORY_LABELS } from '../registry/types.js';

/**
 * Events an analytics camera reports (its own video analytics decides that the event happened; we
 * check it, price it under Decree 168 and keep its frames as evidence). `subject` says who broke the
 * rule where the decree fines the driver for himself and for a passenger under different points.
 */
export const ANALYTICS_EVENTS = ['stop_line', 'road_markings', 'no_left_turn', 'no_right_turn', 'solid_line', 'emergency_lane',
  'pavement', 'no_helmet', 'phone', 'no_seat_belt', 'three_on_motorbike'] as const;
export type AnalyticsEvent = (typeof ANALYTICS_EVENTS)[number];

export const EVENT_SUBJECTS = ['driver', 'passenger'] as const;
export type EventSubject = (typeof EVENT_SUBJECTS)[number];

/** Events whose clause depends on who broke the rule: the camera must say (no default would be lawful). */
export const EVENTS_WITH_SUBJECT: readonly AnalyticsEvent[] = ['no_helmet', 'no_seat_belt'];

/** The violation rule (and fine-schedule offence) of each event. */
export const ANALYTICS_RULES = ['stop_line', 'road_markings', 'no_left_turn', 'no_right_turn', 'solid_line', 'emergency_lane', 'pavement',
  'no_helmet_rider', 'no_helmet_passenger', 'phone', 'no_seat_belt_driver', 'no_seat_belt_passenger', 'three_on_motorbike'] as const;
export type AnalyticsRule = (typeof ANALYTICS_RULES)[number];

/** What the event means in Vietnamese, for the reasons a camera or an operator reads. */
export const EVENT_NAMES: Record<AnalyticsEvent, string> = {
  stop_line: 'dừng xe vượt quá vạch dừng',
  road_markings: 'không chấp hành vạch kẻ đường',
  no_left_turn: 'rẽ trái nơi có biển cấm rẽ trái',
  no_right_turn: 'rẽ phải nơi có biển cấm rẽ phải',
  solid_line: 'chuyển làn qua vạch liền',
  emergency_lane: 'chạy trong làn dừng xe khẩn cấp trên đường cao tốc',
  pavement: 'đi trên vỉa hè',
  no_helmet: 'không đội mũ bảo hiểm',
  phone: 'dùng tay cầm và sử dụng điện thoại khi lái xe',
  no_seat_belt: 'không thắt dây đai an toàn',
  three_on_motorbike: 'chở từ 03 người trở lên trên xe mô tô, xe máy',
};

/** The event's name, saying where the road's class changes the clause (a solid line on an expressway is 6.5.g, not 6.2.a). */
export function eventLabel(event: AnalyticsEvent, onExpressway: boolean): string {
  return event === 'solid_line' && onExpressway ? `${EVENT_NAMES.solid_line} trên đường cao tốc` : EVENT_NAMES[event];
}

export const isAnalyticsEvent = (v: string): v is AnalyticsEvent => (ANALYTICS_EVENTS as readonly string[]).includes(v);

/** The rule an event breaks; the subject is only read for the events that have one. */
export function ruleOfEvent(event: AnalyticsEvent, subject: EventSubject | null): AnalyticsRule {
  if (event === 'no_helmet') return subject === 'passenger' ? 'no_helmet_passenger' : 'no_helmet_rider';
  if (event === 'no_seat_belt') return subject === 'passenger' ? 'no_seat_belt_passenger' : 'no_seat_belt_driver';
  return event;
}

/**
 * Why an event is not priced for this vehicle (Vietnamese, for the operator's dead-letter list): the
 * decree has the behaviour for the other category only, and a fine for it would be made up.
 */
export function notForCategoryReason(eventName: string, plate: string, category: 'car' | 'motorbike', source: 'registry' | 'plate_inference',
  finedCategories: readonly ('car' | 'motorbike')[]): string {
  const how = source === 'registry' ? 'theo đăng ký xe' : 'suy ra từ biển số';
  return `Camera báo sự kiện "${eventName}" nhưng xe biển số ${plate} là ${VEHICLE_CATEGORY_LABELS[category]} (${how}); `
    + `Nghị định 168/2024/NĐ-CP chỉ xử phạt hành vi này đối với ${finedCategories.map((c) => VEHICLE_CATEGORY_LABELS[c]).join(', ')}. `
    + 'Không lập vi phạm: kiểm tra lại biển số đọc được, đăng ký xe và sự kiện của camera, rồi chọn "Xử lý lại" nếu đã sửa.';
}
