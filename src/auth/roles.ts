export const ROLES = ['officer', 'operator', 'finance', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface StaffUser {
  id: number;
  username: string;
  fullName: string;
  role: Role;
}
