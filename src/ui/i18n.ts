/** Interface text. Vietnamese is the default; the choice of English is remembered in this browser. */
const vi = {
  appTitle: 'Phạt nguội',
  login: 'Đăng nhập', logout: 'Đăng xuất', username: 'Tên đăng nhập', password: 'Mật khẩu',
  loginFailed: 'Đăng nhập không thành công',
  navQueue: 'Hàng chờ duyệt', navCameras: 'Camera', navFinance: 'Tài chính',
  queueTitle: 'Vi phạm chờ duyệt', queueEmpty: 'Không có vi phạm nào chờ duyệt.',
  colPhoto: 'Ảnh', colPlate: 'Biển số', colConfidence: 'Độ tin cậy', colCamera: 'Camera', colTime: 'Thời gian',
  colViolation: 'Vi phạm', colFine: 'Mức phạt', colMatch: 'Đối chiếu', claimedBy: 'Đang xử lý bởi',
  filterRule: 'Loại vi phạm', filterAll: 'Tất cả', filterMinConfidence: 'Độ tin cậy tối thiểu', apply: 'Lọc',
  caseTitle: 'Hồ sơ vi phạm', evidence: 'Ảnh bằng chứng', plateCrop: 'Ảnh biển số', registered: 'Phương tiện đăng ký',
  owner: 'Chủ phương tiện', idNumber: 'Số định danh / MST', address: 'Địa chỉ', vehicle: 'Phương tiện',
  noOwner: 'Chưa xác định được chủ phương tiện', candidates: 'Phương tiện gần giống',
  confirmCandidate: 'Xác nhận', legalClause: 'Căn cứ', points: 'Trừ điểm', place: 'Địa điểm',
  measured: 'Thông số đo', approve: 'Duyệt', reject: 'Từ chối', correctPlate: 'Sửa biển số', next: 'Tiếp theo', back: 'Quay lại',
  shortcuts: 'Phím tắt: A duyệt · R từ chối · C sửa biển số · N vụ tiếp theo · Esc quay lại',
  rejectReason: 'Lý do từ chối', rejectNote: 'Ghi chú', confirm: 'Xác nhận', cancel: 'Huỷ', newPlate: 'Biển số đúng',
  claimed: 'Bạn đang xử lý hồ sơ này', claimFailed: 'Không nhận được hồ sơ',
  approved: 'Đã duyệt. Thông báo', rejected: 'Đã từ chối hồ sơ', corrected: 'Đã sửa biển số',
  noticeTitle: 'Thông báo vi phạm', openPdf: 'Mở PDF',
  camerasTitle: 'Camera và thống kê', capturesPerHour: 'Ảnh/giờ', readRate: 'Tỉ lệ đọc', meanConfidence: 'Độ tin cậy TB',
  deadLettered: 'Lỗi xử lý', lastImage: 'Ảnh gần nhất', settings: 'Cài đặt', save: 'Lưu', saved: 'Đã lưu cài đặt',
  enabled: 'Hoạt động', detectThreshold: 'Ngưỡng phát hiện', readThreshold: 'Ngưỡng đọc', speedLimit: 'Tốc độ giới hạn (km/h)',
  speedTolerance: 'Sai số tốc độ (km/h)', plateProfile: 'Kiểu biển số', cameraType: 'Loại camera', dedupWindow: 'Gộp ảnh trong (giây)',
  financeTitle: 'Tổng hợp thu phạt', collected: 'Đã thu', outstanding: 'Chưa thu', issued: 'Đã ra thông báo',
  byMonth: 'Theo tháng', total: 'Tổng', loading: 'Đang tải…', error: 'Lỗi',
  rule_speeding: 'Quá tốc độ', rule_red_light: 'Vượt đèn đỏ', rule_wrong_lane: 'Sai làn', rule_no_entry: 'Đi vào đường cấm / ngược chiều',
  rule_no_parking: 'Đỗ xe nơi cấm',
  reason_plate_unreadable: 'Không đọc được biển số', reason_plate_obstructed: 'Biển số bị che', reason_wrong_vehicle: 'Sai phương tiện',
  reason_emergency_vehicle: 'Xe ưu tiên', reason_duplicate: 'Trùng lặp', reason_equipment_fault: 'Lỗi thiết bị', reason_other: 'Lý do khác',
};

export type TextKey = keyof typeof vi;

const en: Record<TextKey, string> = {
  appTitle: 'Camera fines',
  login: 'Log in', logout: 'Log out', username: 'Username', password: 'Password',
  loginFailed: 'Login failed',
  navQueue: 'Review queue', navCameras: 'Cameras', navFinance: 'Finance',
  queueTitle: 'Violations awaiting review', queueEmpty: 'Nothing is waiting for review.',
  colPhoto: 'Photo', colPlate: 'Plate', colConfidence: 'Confidence', colCamera: 'Camera', colTime: 'Time',
  colViolation: 'Violation', colFine: 'Fine', colMatch: 'Match', claimedBy: 'Being handled by',
  filterRule: 'Violation type', filterAll: 'All', filterMinConfidence: 'Minimum confidence', apply: 'Filter',
  caseTitle: 'Violation case', evidence: 'Evidence photos', plateCrop: 'Plate crop', registered: 'Registered vehicle',
  owner: 'Owner', idNumber: 'ID number / tax code', address: 'Address', vehicle: 'Vehicle',
  noOwner: 'Owner not identified yet', candidates: 'Similar plates',
  confirmCandidate: 'Confirm', legalClause: 'Legal basis', points: 'Licence points', place: 'Place',
  measured: 'Measurements', approve: 'Approve', reject: 'Reject', correctPlate: 'Correct plate', next: 'Next', back: 'Back',
  shortcuts: 'Shortcuts: A approve · R reject · C correct plate · N next case · Esc back',
  rejectReason: 'Reason', rejectNote: 'Note', confirm: 'Confirm', cancel: 'Cancel', newPlate: 'Correct plate',
  claimed: 'You are handling this case', claimFailed: 'Could not claim the case',
  approved: 'Approved. Notice', rejected: 'Case rejected', corrected: 'Plate corrected',
  noticeTitle: 'Penalty notice', openPdf: 'Open PDF',
  camerasTitle: 'Cameras and statistics', capturesPerHour: 'Images/hour', readRate: 'Read rate', meanConfidence: 'Mean confidence',
  deadLettered: 'Failed', lastImage: 'Last image', settings: 'Settings', save: 'Save', saved: 'Settings saved',
  enabled: 'Enabled', detectThreshold: 'Detection threshold', readThreshold: 'Reading threshold', speedLimit: 'Speed limit (km/h)',
  speedTolerance: 'Speed tolerance (km/h)', plateProfile: 'Plate profile', cameraType: 'Camera type', dedupWindow: 'Merge photos within (s)',
  financeTitle: 'Fines collected', collected: 'Collected', outstanding: 'Outstanding', issued: 'Issued',
  byMonth: 'By month', total: 'Total', loading: 'Loading…', error: 'Error',
  rule_speeding: 'Speeding', rule_red_light: 'Red light', rule_wrong_lane: 'Wrong lane', rule_no_entry: 'No entry / wrong way',
  rule_no_parking: 'No parking',
  reason_plate_unreadable: 'Plate unreadable', reason_plate_obstructed: 'Plate obstructed', reason_wrong_vehicle: 'Wrong vehicle',
  reason_emergency_vehicle: 'Emergency vehicle', reason_duplicate: 'Duplicate', reason_equipment_fault: 'Equipment fault', reason_other: 'Other',
};

const dictionaries = { vi, en } as const;
export type Language = keyof typeof dictionaries;
const STORAGE_KEY = 'pn.language';

export function currentLanguage(): Language {
  return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'vi';
}

export function setLanguage(language: Language): void {
  localStorage.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language;
}

export function t(key: TextKey): string {
  return dictionaries[currentLanguage()][key];
}

/** Text for keys built from API values (rules, reject reasons); the raw value when there is none. */
export function tk(prefix: 'rule' | 'reason', value: string): string {
  const key = `${prefix}_${value}` as TextKey;
  return key in vi ? t(key) : value;
}
