export * from "./audit";
export * from "./auth";
export * from "./chain";
export * from "./compliance";
export * from "./credit";
export * from "./loans";
export * from "./payments";
export * from "./profiles";
