import { h, mount } from '../dom.js';

/**
 * The public lookup page that the QR code on every notice opens: a plate (and optionally its colour
 * and the kind of vehicle, as on the traffic police's own site) gives the published violations with
 * the public fields only. No login; the API limits lookups per address.
 */

interface PublicViolation {
  vehicleTypeLabel: string; plate: string; plateColourLabel: string; occurredAt: string; place: string; violation: string;
  detectingUnit: string; handlingUnit: { name: string; address: string | null; phone: string | null };
  plateImageUrl: string | null; status: string;
}
interface LookupResult { plate: string; count: number; violations: PublicViolation[] }

const VEHICLE_TYPES: Array<[string, string]> = [['', 'Tất cả'], ['car', 'Ô tô'], ['truck', 'Ô tô tải'], ['bus', 'Ô tô khách'],
  ['motorbike', 'Mô tô'], ['moped', 'Xe gắn máy'], ['electric_motorbike', 'Xe máy điện']];
const PLATE_COLOURS: Array<[string, string]> = [['', 'Tất cả'], ['white', 'Nền trắng, chữ đen'], ['yellow', 'Nền vàng, chữ đen'],
  ['blue', 'Nền xanh, chữ trắng'], ['red', 'Nền đỏ, chữ trắng'], ['white_red', 'Nền trắng, chữ đỏ']];
const PAID = 'Đã xử phạt';

const time = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', minute: '2-digit', day: '2-digit', month: '2-digit', year: 'numeric' });

const root = document.getElementById('lookup')!;
const query = new URLSearchParams(location.search);

const plateError = h('span', { class: 'field-error', id: 'plate-error', role: 'alert' });
const plate = h('input', { id: 'plate', name: 'plate', autocomplete: 'off', inputmode: 'text', placeholder: 'Ví dụ: 30A-123.45',
  'aria-describedby': 'plate-error', value: query.get('plate') ?? '' });
const vehicleType = h('select', { id: 'vehicle-type', name: 'vehicle_type' },
  ...VEHICLE_TYPES.map(([value, label]) => h('option', { value, selected: query.get('vehicle_type') === value }, label)));
const plateColour = h('select', { id: 'plate-colour', name: 'plate_colour' },
  ...PLATE_COLOURS.map(([value, label]) => h('option', { value, selected: query.get('plate_colour') === value }, label)));
const submit = h('button', { type: 'submit', id: 'search' }, 'Tra cứu');
const results = h('section', { id: 'results', 'aria-label': 'Kết quả tra cứu' });

const form = h('form', { id: 'lookup-form', novalidate: true, onsubmit: (event: Event) => { event.preventDefault(); void search(); } },
  h('label', { for: 'plate' }, 'Biển số xe', plate, plateError),
  h('div', { class: 'row' },
    h('label', { for: 'vehicle-type' }, 'Loại phương tiện', vehicleType),
    h('label', { for: 'plate-colour' }, 'Màu biển số', plateColour)),
  submit);

mount(root, form, results,
  h('p', { class: 'note' }, 'Kết quả chỉ gồm các vi phạm đã có thông báo. Ảnh chỉ hiển thị vùng biển số. ',
    'Nếu thông tin chưa chính xác, vui lòng liên hệ đơn vị giải quyết ghi trong kết quả.'));

function setPlateError(message: string): void {
  plateError.textContent = message;
  if (message) plate.setAttribute('aria-invalid', 'true');
  else plate.removeAttribute('aria-invalid');
}

async function search(): Promise<void> {
  const text = plate.value.trim();
  setPlateError('');
  if (text.length < 5) {
    setPlateError('Vui lòng nhập đầy đủ biển số, ví dụ 30A-123.45');
    plate.focus();
    return;
  }
  const params = new URLSearchParams({ plate: text });
  if (vehicleType.value) params.set('vehicle_type', vehicleType.value);
  if (plateColour.value) params.set('plate_colour', plateColour.value);
  history.replaceState(null, '', `?${params.toString()}`);
  submit.disabled = true;
  submit.textContent = 'Đang tra cứu…';
  mount(results, h('p', { class: 'summary' }, 'Đang tra cứu…'));
  try {
    const res = await fetch(`/api/v1/lookup?${params.toString()}`, { credentials: 'same-origin' });
    const body = await res.json().catch(() => ({})) as Partial<LookupResult> & { error?: string; message?: string };
    if (res.status === 400 && body.error === 'invalid_plate') {
      setPlateError(body.message ?? 'Biển số không hợp lệ');
      mount(results);
      return;
    }
    if (!res.ok) {
      const reason = res.status === 429 ? body.message ?? 'Quá nhiều lượt tra cứu, vui lòng thử lại sau ít phút.'
        : 'Hệ thống tra cứu đang gặp sự cố, vui lòng thử lại sau.';
      mount(results, h('div', { class: 'error-box', role: 'alert', id: 'lookup-error' }, reason));
      return;
    }
    show(body as LookupResult);
  } catch {
    mount(results, h('div', { class: 'error-box', role: 'alert', id: 'lookup-error' }, 'Không kết nối được máy chủ, vui lòng kiểm tra mạng và thử lại.'));
  } finally {
    submit.disabled = false;
    submit.textContent = 'Tra cứu';
  }
}

function show(result: LookupResult): void {
  if (result.count === 0) {
    mount(results, h('div', { class: 'empty', id: 'no-results' },
      h('strong', {}, `Không tìm thấy vi phạm nào của biển số ${result.plate}.`),
      h('p', {}, 'Vi phạm chỉ được công bố sau khi có thông báo. Hãy kiểm tra lại biển số, màu biển và loại phương tiện đã chọn.')));
    return;
  }
  mount(results,
    h('p', { class: 'summary', id: 'summary' }, `Biển số ${result.violations[0]?.plate ?? result.plate}: ${result.count} vi phạm`),
    ...result.violations.map((v, i) => h('article', { class: 'result', 'data-index': i },
      h('h2', {}, h('span', {}, v.plate), h('span', { class: `status ${v.status === PAID ? 'paid' : 'unpaid'}` }, v.status)),
      v.plateImageUrl ? h('img', { class: 'plate-photo', src: v.plateImageUrl, alt: `Ảnh biển số ${v.plate} do camera ghi lại`, loading: 'lazy' }) : null,
      h('dl', {},
        h('dt', {}, 'Loại phương tiện'), h('dd', {}, v.vehicleTypeLabel),
        h('dt', {}, 'Màu biển số'), h('dd', {}, v.plateColourLabel),
        h('dt', {}, 'Thời gian vi phạm'), h('dd', {}, time.format(new Date(v.occurredAt))),
        h('dt', {}, 'Địa điểm vi phạm'), h('dd', {}, v.place),
        h('dt', {}, 'Hành vi vi phạm'), h('dd', {}, v.violation),
        h('dt', {}, 'Đơn vị phát hiện'), h('dd', {}, v.detectingUnit),
        h('dt', {}, 'Nơi giải quyết'), h('dd', { class: 'unit' }, v.handlingUnit.name,
          v.handlingUnit.address ? h('div', {}, `Địa chỉ: ${v.handlingUnit.address}`) : null,
          v.handlingUnit.phone ? h('div', {}, 'Điện thoại: ', h('a', { href: `tel:${v.handlingUnit.phone}` }, v.handlingUnit.phone)) : null),
        h('dt', {}, 'Trạng thái'), h('dd', {}, v.status)))));
}

if (plate.value) void search();
