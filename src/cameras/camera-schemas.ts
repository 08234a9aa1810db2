import { Type, type Static } from '@sinclair/typebox';
import { VEHICLE_TYPES } from '../registry/types.js';
import { ANALYTICS_EVENTS, type AnalyticsEvent } from '../violations/analytics-events.js';

/** Region of interest in image pixels: only this part of a frame is searched for plates. */
export const RoiSchema = Type.Object({
  x: Type.Integer({ minimum: 0, maximum: 20_000 }),
  y: Type.Integer({ minimum: 0, maximum: 20_000 }),
  width: Type.Integer({ minimum: 8, maximum: 20_000 }),
  height: Type.Integer({ minimum: 8, maximum: 20_000 }),
}, { additionalProperties: false });

/** A part of the frame to ignore, in fractions of the image width and height (0..1), so it fits any resolution. */
export const OverlayMaskSchema = Type.Object({
  x: Type.Number({ minimum: 0, maximum: 1 }),
  y: Type.Number({ minimum: 0, maximum: 1 }),
  width: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
  height: Type.Number({ exclusiveMinimum: 0, maximum: 1 }),
}, { additionalProperties: false });

export const CameraTypeSchema = Type.Union([Type.Literal('speed'), Type.Literal('red_light'), Type.Literal('lane'), Type.Literal('no_entry'),
  Type.Literal('wrong_way'), Type.Literal('no_parking'), Type.Literal('no_stopping'), Type.Literal('analytics')],
  { description: 'which rule the camera enforces: no_entry = a sign banning some vehicle kinds (P.101-P.111), wrong_way = one-way street or "Cấm đi ngược chiều", '
    + 'no_parking = "Cấm đỗ xe", no_stopping = "Cấm dừng xe và đỗ xe", analytics = the camera\'s own analytics reports the event with each image (field `event`)' });

const LaneListSchema = Type.Array(Type.Integer({ minimum: 1, maximum: 20 }), { minItems: 1, maxItems: 20, uniqueItems: true });
const VehicleTypeSchema = Type.Union([Type.Literal('car'), Type.Literal('truck'), Type.Literal('bus'), Type.Literal('motorbike'), Type.Literal('moped'),
  Type.Literal('electric_motorbike')], { description: 'ô tô con, xe tải, xe khách, mô tô, xe gắn máy, xe máy điện' });
const ClockSchema = (end: boolean) => Type.String({ pattern: end ? '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$' : '^([01][0-9]|2[0-3]):[0-5][0-9]$' });
/** Hours a sign applies, Vietnam time: from (included) to (excluded); a window ending before it starts runs past midnight. */
export const BanWindowSchema = Type.Object({ from: ClockSchema(false), to: ClockSchema(true) }, { additionalProperties: false });

/** ANALYTICS_EVENTS spelt out, so the type of a camera's settings names each event (a mapped union would not). */
const AnalyticsEventSchema = Type.Union([Type.Literal('stop_line'), Type.Literal('road_markings'), Type.Literal('no_left_turn'), Type.Literal('no_right_turn'),
  Type.Literal('solid_line'), Type.Literal('emergency_lane'), Type.Literal('pavement'), Type.Literal('no_helmet'), Type.Literal('phone'),
  Type.Literal('no_seat_belt'), Type.Literal('three_on_motorbike')]);
// the two lists name the same events, or this does not compile
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const ANALYTICS_EVENT_SCHEMA_MATCHES: Same<Static<typeof AnalyticsEventSchema>, AnalyticsEvent> = true;

/** The settings the workers read per camera; every one can be changed without a restart. */
const settingsProps = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  province: Type.String({ minLength: 1, maxLength: 100 }),
  address: Type.String({ minLength: 1, maxLength: 500 }),
  latitude: Type.Union([Type.Number({ minimum: -90, maximum: 90 }), Type.Null()]),
  longitude: Type.Union([Type.Number({ minimum: -180, maximum: 180 }), Type.Null()]),
  cameraType: CameraTypeSchema,
  enabled: Type.Boolean(),
  plateProfile: Type.Union([Type.Literal('vn'), Type.Literal('generic')], { description: 'plate grammar: Vietnamese or generic' }),
  roi: Type.Union([RoiSchema, Type.Null()], { description: 'null = whole frame' }),
  overlayMasks: Type.Array(OverlayMaskSchema, { maxItems: 20, description: 'rectangles (image fractions 0..1) to ignore: burnt-in text, logos' }),
  detectThreshold: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'plates read with less confidence are discarded' }),
  readThreshold: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'plates read with less confidence are flagged for careful review' }),
  speedLimitKmh: Type.Union([Type.Integer({ minimum: 5, maximum: 150 }), Type.Null()], { description: 'required for speed cameras' }),
  speedToleranceKmh: Type.Integer({ minimum: 0, maximum: 20, description: 'measurement tolerance subtracted before judging speed' }),
  allowedLanes: Type.Union([LaneListSchema, Type.Null()],
    { description: 'lanes the camera\'s vehicles may use (lane cameras), unless allowedLanesByCategory has a list for the vehicle\'s category' }),
  allowedLanesByCategory: Type.Union([Type.Object({ car: Type.Optional(LaneListSchema), motorbike: Type.Optional(LaneListSchema) },
    { additionalProperties: false, minProperties: 1 }), Type.Null()],
  { description: 'lanes per vehicle category where the lane signs differ for cars (ô tô) and motorbikes (xe máy); null = allowedLanes for all' }),
  noEntryVehicleTypes: Type.Array(VehicleTypeSchema, { maxItems: VEHICLE_TYPES.length, uniqueItems: true,
    description: 'vehicle kinds the no-entry sign bans (required for no_entry cameras)' }),
  noEntryHours: Type.Array(BanWindowSchema, { maxItems: 6, description: 'hours the no-entry sign applies, Vietnam time; empty = at all times' }),
  amberToleranceMs: Type.Integer({ minimum: 0, maximum: 2000,
    description: 'red-light cameras: a vehicle crossing the stop line less than this long after the light turned amber was at the line when it turned, and is not fined' }),
  stopDwellS: Type.Integer({ minimum: 5, maximum: 86_400, description: 'no_stopping cameras: how long a vehicle must stand before it counts as stopped (below: held up in traffic)' }),
  expressway: Type.Boolean({ description: 'the camera watches an expressway: a lane change across a solid line there is 6.5.g, and only such '
    + 'cameras may report the emergency lane (analytics cameras)' }),
  analyticsEvents: Type.Array(AnalyticsEventSchema, { maxItems: ANALYTICS_EVENTS.length, uniqueItems: true,
    description: 'analytics cameras: the events the camera is set up to report; any other is refused at upload. Empty = any event' }),
  dedupWindowS: Type.Integer({ minimum: 0, maximum: 86_400, description: 'later captures of the same plate within this window become evidence of one violation' }),
  noParkingDwellS: Type.Integer({ minimum: 10, maximum: 86_400, description: 'how long a vehicle must stay before it counts as parked (no_parking and no_stopping cameras)' }),
  dropFolder: Type.Union([Type.String({ minLength: 2, maxLength: 1000, pattern: '^/' }), Type.Null()], { description: 'absolute folder the camera uploads to by FTP; null = HTTP only' }),
};
export const CameraSettingsSchema = Type.Object(settingsProps, { additionalProperties: false });
export type CameraSettings = Static<typeof CameraSettingsSchema>;

export const CameraCodeSchema = Type.String({ pattern: '^[A-Z0-9][A-Z0-9_-]{1,63}$', description: 'unique code, e.g. HN-CG-001' });

const { name, province, address, cameraType, ...optionalProps } = settingsProps;

export const CreateCameraSchema = Type.Object({
  code: CameraCodeSchema, name, province, address, cameraType,
  ...Type.Partial(Type.Object(optionalProps)).properties,
}, { additionalProperties: false });
export type CreateCamera = Static<typeof CreateCameraSchema>;

export const UpdateCameraSchema = Type.Partial(Type.Object(settingsProps), { additionalProperties: false, minProperties: 1 });
export type UpdateCamera = Static<typeof UpdateCameraSchema>;

export const CameraSchema = Type.Object({
  id: Type.Integer(), code: Type.String(), hasApiKey: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }), updatedAt: Type.String({ format: 'date-time' }),
  ...settingsProps,
});
export type Camera = Static<typeof CameraSchema>;
