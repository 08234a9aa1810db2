import { Type } from '@sinclair/typebox';
import { PAYMENT_METHODS } from '../../finance/payments.js';
import { NOTICE_STATUSES } from '../../notices/queries.js';
import { oneOf } from './admin-schemas.js';

const Time = Type.String({ format: 'date-time' });
const NullableTime = Type.Union([Time, Type.Null()]);

export const NoticeSchema = Type.Object({
  id: Type.Integer(),
  noticeNumber: Type.String(),
  violationId: Type.Integer(),
  status: oneOf(NOTICE_STATUSES),
  plate: Type.String(),
  rule: Type.String(),
  cameraCode: Type.String(),
  occurredAt: Time,
  amount: Type.Integer({ description: 'VND' }),
  paid: Type.Integer({ description: 'VND' }),
  outstanding: Type.Integer({ description: 'VND' }),
  issuedAt: Time,
  dueAt: Time,
  escalatedAt: NullableTime,
  resolvedAt: NullableTime,
  pdfSha256: Type.Union([Type.String(), Type.Null()]),
  pdfRenderedAt: NullableTime,
});

export const PaymentSchema = Type.Object({
  id: Type.Integer(),
  noticeNumber: Type.String(),
  decisionNumber: Type.Union([Type.String(), Type.Null()], { description: 'the penalty decision paid' }),
  amount: Type.Integer({ description: 'VND' }),
  paidAt: Time,
  method: oneOf(PAYMENT_METHODS),
  reference: Type.String(),
  source: Type.Union([Type.Literal('manual'), Type.Literal('statement_import')]),
  recordedBy: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Time,
});
