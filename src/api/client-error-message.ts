/** Vietnamese for the request errors fastify and its plugins raise themselves (their own text is English; it stays in details). */
const BY_CODE: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Kiểu nội dung (Content-Type) không được hỗ trợ',
  FST_ERR_CTP_BODY_TOO_LARGE: 'Nội dung gửi lên quá lớn',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Nội dung JSON trống',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Nội dung JSON không hợp lệ',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Độ dài nội dung (Content-Length) không khớp',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'Yêu cầu không phải multipart/form-data',
  FST_REQ_FILE_TOO_LARGE: 'Tệp gửi lên quá lớn',
  FST_PARTS_LIMIT: 'Yêu cầu có quá nhiều phần',
  FST_FILES_LIMIT: 'Yêu cầu có quá nhiều tệp',
  FST_FIELDS_LIMIT: 'Yêu cầu có quá nhiều trường',
};

const BY_STATUS: Record<number, string> = {
  400: 'Yêu cầu không hợp lệ', 401: 'Chưa đăng nhập', 403: 'Không có quyền thực hiện', 404: 'Không tìm thấy', 405: 'Phương thức không được hỗ trợ',
  406: 'Không trả được định dạng yêu cầu', 413: 'Nội dung gửi lên quá lớn', 415: 'Kiểu nội dung không được hỗ trợ', 429: 'Quá nhiều yêu cầu; vui lòng thử lại sau',
};

export function clientErrorMessage(code: string | undefined, status: number): string {
  return (code && BY_CODE[code]) ?? BY_STATUS[status] ?? 'Yêu cầu không hợp lệ';
}
