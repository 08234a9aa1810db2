/** Calls the API with the session cookie set at login; errors carry the API's reason. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details: Record<string, unknown> = {}) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const data = text ? JSON.parse(text) as Record<string, unknown> : {};
  if (!res.ok) throw new ApiError(res.status, String(data.error ?? res.status), String(data.message ?? res.statusText), (data.details ?? {}) as Record<string, unknown>);
  return data as T;
}

export interface Me { id: number; username: string; fullName: string; role: 'officer' | 'operator' | 'finance' | 'admin' }
