import { describe, expect, it } from 'vitest';
import { IngestRejection } from '../../src/ingest/errors.js';
import { metadataFromFileName } from '../../src/ingest/file-name-metadata.js';
import { parseCaptureMetadata } from '../../src/ingest/metadata.js';

const now = new Date('2025-06-01T10:00:00Z');
const reject = (input: Record<string, unknown>) => {
  try {
    parseCaptureMetadata(input, now, 120);
  } catch (err) {
    if (err instanceof IngestRejection) return err;
    throw err;
  }
  throw new Error('accepted');
};

describe('capture metadata', () => {
  it('converts form strings into typed values', () => {
    expect(parseCaptureMetadata({ captured_at: '2025-06-01T16:59:00+07:00', speed_kmh: '57.5', lane: '2', signal_phase: 'red', red_elapsed_ms: '1200', direction: 'forward' }, now, 120))
      .toEqual({ capturedAt: new Date('2025-06-01T09:59:00Z'), speedKmh: 57.5, lane: 2, signalPhase: 'red', redElapsedMs: 1200, amberElapsedMs: null, direction: 'forward', speedWarning: null,
        event: null, eventSubject: null });
  });

  it('takes an analytics event, with who broke the rule where the decree fines driver and passenger differently', () => {
    const at = '2025-06-01T16:59:00+07:00';
    expect(parseCaptureMetadata({ captured_at: at, event: 'phone' }, now, 120)).toMatchObject({ event: 'phone', eventSubject: null });
    expect(parseCaptureMetadata({ captured_at: at, event: 'no_seat_belt', subject: 'passenger' }, now, 120))
      .toMatchObject({ event: 'no_seat_belt', eventSubject: 'passenger' });
    expect(reject({ captured_at: at, event: 'speeding' })).toMatchObject({ status: 400, code: 'unknown_event' });
    expect(reject({ captured_at: at, event: 'no_seat_belt' })).toMatchObject({ code: 'missing_field' });
    expect(reject({ captured_at: at, event: 'pavement', subject: 'driver' })).toMatchObject({ code: 'invalid_field' });
    expect(reject({ captured_at: at, subject: 'driver' })).toMatchObject({ code: 'invalid_field' });
    expect(metadataFromFileName('20250601T165900_ev-no-helmet_passenger.jpg')).toMatchObject({ event: 'no_helmet', subject: 'passenger' });
    expect(metadataFromFileName('20250601T165900_ev-three-on-motorbike.jpg')).toMatchObject({ event: 'three_on_motorbike' });
  });

  it('treats empty optional fields as absent', () => {
    expect(parseCaptureMetadata({ captured_at: '2025-06-01T09:00:00Z', speed_kmh: '', lane: '' }, now, 120))
      .toMatchObject({ speedKmh: null, lane: null, signalPhase: null });
  });

  it('refuses a capture from the future beyond the clock-skew allowance, naming the camera clock', () => {
    const err = reject({ captured_at: '2025-06-01T10:05:00Z' });
    expect(err.code).toBe('captured_in_future');
    expect(err.message).toMatch(/camera clock/);
    expect(parseCaptureMetadata({ captured_at: '2025-06-01T10:01:00Z' }, now, 120).capturedAt).toEqual(new Date('2025-06-01T10:01:00Z'));
  });

  it('refuses missing, zone-less, unknown and out-of-range fields with the field named', () => {
    expect(reject({}).code).toBe('missing_field');
    expect(reject({ captured_at: '2025-06-01T09:00:00' }).message).toMatch(/time zone/);
    expect(reject({ captured_at: '2025-06-01T09:00:00Z', colour: 'red' })).toMatchObject({ code: 'unknown_field', message: expect.stringMatching(/colour/) });
    expect(reject({ captured_at: '2025-06-01T09:00:00Z', lane: '21' }).message).toMatch(/lane/);
    expect(reject({ captured_at: '2025-06-01T09:00:00Z', speed_kmh: 'fast' }).message).toMatch(/speed_kmh/);
    expect(reject({ captured_at: '2025-06-01T09:00:00Z', signal_phase: 'blue' }).message).toMatch(/signal_phase/);
    expect(reject({ captured_at: '2025-06-01T09:00:00Z', red_elapsed_ms: '100' }).message).toMatch(/signal_phase=red/);
    expect(reject({ captured_at: '2025-06-01T09:00:00Z', signal_phase: 'red', amber_elapsed_ms: '100' }).message).toMatch(/signal_phase=amber/);
    expect(reject({ captured_at: '2025-06-01T09:00:00Z', signal_phase: 'amber', amber_elapsed_ms: '1.5' }).message).toMatch(/amber_elapsed_ms/);
    expect(reject({ captured_at: '2024-01-01T09:00:00Z' }).code).toBe('captured_too_old');
    expect(reject({ captured_at: '2025-02-30T09:00:00Z' }).status).toBe(400);
  });
});

describe('amber crossings', () => {
  it('carries the time from amber to the crossing, which the rule needs to tell "at the stop line" from "before it"', () => {
    const now = new Date('2025-06-01T10:00:00Z');
    expect(parseCaptureMetadata({ captured_at: '2025-06-01T16:59:00+07:00', signal_phase: 'amber', amber_elapsed_ms: '850' }, now, 120))
      .toMatchObject({ signalPhase: 'amber', amberElapsedMs: 850, redElapsedMs: null });
  });
});

describe('drop-folder file names', () => {
  it('reads time, zone and tokens from the name', () => {
    expect(metadataFromFileName('20250314T081522120+0700_speed57.5_lane2_red1200_fwd.jpg')).toEqual({
      captured_at: '2025-03-14T08:15:22.120+07:00', speed_kmh: '57.5', lane: '2', signal_phase: 'red', red_elapsed_ms: '1200', direction: 'forward',
    });
  });

  it('reads the time from amber to the stop-line crossing (amber800)', () => {
    expect(metadataFromFileName('20250314T081522Z_amber800.jpg')).toEqual({ captured_at: '2025-03-14T08:15:22Z', signal_phase: 'amber', amber_elapsed_ms: '800' });
  });

  it('takes Vietnam time when the name has no zone', () => {
    expect(metadataFromFileName('20250314T081522.jpg')).toEqual({ captured_at: '2025-03-14T08:15:22+07:00' });
    expect(metadataFromFileName('20250314T081522Z_amber.png')).toEqual({ captured_at: '2025-03-14T08:15:22Z', signal_phase: 'amber' });
  });

  it('gives up on names of another scheme instead of guessing', () => {
    expect(metadataFromFileName('IMG_0001.jpg')).toBeNull();
    expect(metadataFromFileName('20250314T081522_plate30A.jpg')).toBeNull();
  });
});
