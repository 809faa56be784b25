import type { StaffUser } from "@gatehouse/db";
import type { StaffCaller } from "../../services/back-office/caller";

/** The acting staff member and IP, as the services take them. */
export const callerOf = (ctx: { staff: StaffUser; ip: string }): StaffCaller => ({ staff: ctx.staff, ip: ctx.ip });
