import type { StaffUser } from "@gatehouse/db";
import type { Actor } from "../audit";

/** Who performs a BackOffice action: the signed-in staff member and the request's IP. */
export interface StaffCaller {
  staff: Pick<StaffUser, "id" | "email" | "role">;
  ip: string;
}

export const staffActor = (caller: StaffCaller): Actor => ({ type: "staff", id: caller.staff.id, label: caller.staff.email });
