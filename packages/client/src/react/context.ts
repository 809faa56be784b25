"use client";
import { createContext, useContext } from "react";
import type { GatehouseClient } from "../client";

export const GatehouseClientContext = createContext<GatehouseClient | null>(null);

/** The client given to GatehouseProvider: `const { ClientAuth, hooks } = useGatehouse()`. */
export function useGatehouse(): GatehouseClient {
  const client = useContext(GatehouseClientContext);
  if (!client) throw new Error("useGatehouse must be used inside <GatehouseProvider>");
  return client;
}
