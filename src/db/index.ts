export * from "./connection";
export { Member, type MemberDoc } from "./models/member";
export { Sentra, type SentraDoc } from "./models/sentra";
export { ConversationState } from "./models/conversation-state";
export { Counter } from "./models/counter";
export { Request, type RequestDoc } from "./models/request";
