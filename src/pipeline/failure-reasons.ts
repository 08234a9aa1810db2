import type { ImageErrorCode } from '../vision/engine.js';
import type { QueueName } from '../queue/names.js';

/**
 * The reasons operators read in the dead-letter list, in Vietnamese. The technical detail (an
 * exception's English text) goes to the audit entry and the logs, never onto the screen.
 */
const STAGE: Record<QueueName, string> = { recognise: 'nhận dạng biển số', evaluate: 'xét vi phạm' };

const UNREADABLE: Record<ImageErrorCode, string> = {
  empty: 'tệp ảnh rỗng',
  not_image: 'tệp không phải là ảnh',
  truncated: 'ảnh bị cắt cụt, thiếu dữ liệu',
  too_large: 'ảnh quá lớn để xử lý',
  bad_roi: 'vùng nhận dạng đặt cho camera nằm ngoài khung ảnh',
  decode_failed: 'không giải mã được ảnh',
};

export const failureReason = {
  cameraDisabled: (code: string) => `Camera ${code} đã bị tắt trước khi ảnh này được xử lý: bật lại camera rồi chọn "Xử lý lại".`,
  imageTampered: () => 'Ảnh trong kho không còn khớp mã kiểm tra (sha256) lúc nhận: ảnh có thể đã bị sửa hoặc hỏng, không dùng làm chứng cứ.',
  imageMissing: () => 'Không tìm thấy ảnh trong kho lưu trữ.',
  imageUnreadable: (code: ImageErrorCode) => `Không đọc được ảnh: ${UNREADABLE[code]}.`,
  stageFailed: (stage: QueueName, attempts: number) => `Bước ${STAGE[stage]} thất bại ${attempts} lần liên tiếp; xem nhật ký hệ thống rồi chọn "Xử lý lại".`,
  jobLost: (stage: QueueName) => `Tác vụ ${STAGE[stage]} đã dừng ở trạng thái lỗi mà ảnh chưa được xử lý; chọn "Xử lý lại".`,
};
