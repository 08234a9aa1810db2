/**
 * Internal codes as the Vietnamese words people read in exported files (the console has its own,
 * bilingual, dictionary). An unknown code gets a neutral label rather than leaking the code.
 */
const label = (table: Record<string, string>, fallback: string) => (code: string): string => table[code] ?? fallback;

export const ruleLabel = label({
  speeding: 'Quá tốc độ', red_light: 'Vượt đèn đỏ', wrong_lane: 'Sai làn', no_entry: 'Đi vào đường cấm', wrong_way: 'Đi ngược chiều',
  no_parking: 'Đỗ xe nơi cấm', no_stopping: 'Dừng xe nơi cấm',
  stop_line: 'Vượt vạch dừng', road_markings: 'Không chấp hành vạch kẻ đường', no_left_turn: 'Rẽ trái nơi cấm rẽ trái',
  no_right_turn: 'Rẽ phải nơi cấm rẽ phải', solid_line: 'Chuyển làn qua vạch liền', emergency_lane: 'Chạy trong làn dừng khẩn cấp',
  pavement: 'Đi trên vỉa hè', no_helmet_rider: 'Người lái không đội mũ bảo hiểm', no_helmet_passenger: 'Chở người không đội mũ bảo hiểm',
  phone: 'Dùng điện thoại khi lái xe', no_seat_belt_driver: 'Người lái không thắt dây an toàn',
  no_seat_belt_passenger: 'Chở người không thắt dây an toàn', three_on_motorbike: 'Chở từ 3 người trở lên',
}, 'Vi phạm khác');

export const noticeStatusLabel = label({
  issued: 'Đã gửi thông báo', escalated: 'Quá hạn, đã chuyển thông tin', resolved: 'Đã xử phạt', cancelled: 'Đã huỷ',
}, 'Không rõ');

export const vehicleTypeLabel = label({
  car: 'Ô tô', truck: 'Ô tô tải', bus: 'Ô tô khách', motorbike: 'Mô tô', moped: 'Xe gắn máy', electric_motorbike: 'Xe máy điện',
}, 'Phương tiện khác');

export const agingBucketLabel = label({ '0-20': '0–20 ngày', '21-60': '21–60 ngày', '61-180': '61–180 ngày', '>180': 'Trên 180 ngày' }, 'Không rõ');

export const statementOutcomeLabel = label({ matched: 'Khớp', already_recorded: 'Đã ghi trước đó', unmatched: 'Không khớp' }, 'Không rõ');

export const unmatchedReasonLabel = label({
  invalid_line: 'Dòng sai định dạng', no_notice_number: 'Không có số quyết định hoặc số thông báo', unknown_notice: 'Không có thông báo này',
  amount_mismatch: 'Số tiền không khớp', notice_already_paid: 'Thông báo đã nộp', notice_cancelled: 'Thông báo đã huỷ',
  reference_reused: 'Mã giao dịch đã dùng', paid_before_notice: 'Ngày nộp trước ngày ra thông báo', unknown_decision: 'Không có quyết định này',
  no_decision: 'Thông báo chưa có quyết định xử phạt', decision_already_paid: 'Quyết định đã nộp',
}, 'Không khớp');

const VN_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});

/** An instant as Vietnam wall-clock time, "dd/mm/yyyy hh:mm:ss" (what a spreadsheet user in Vietnam expects). */
export function vnDateTime(iso: string | Date): string {
  const parts = Object.fromEntries(VN_TIME.formatToParts(typeof iso === 'string' ? new Date(iso) : iso).map((p) => [p.type, p.value]));
  return `${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute}:${parts.second}`;
}

export const paymentMethodLabel = label({ cash: 'tiền mặt', bank_transfer: 'chuyển khoản', treasury: 'kho bạc', online: 'trực tuyến' }, 'khác');
