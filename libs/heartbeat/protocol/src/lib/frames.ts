import type * as z from 'zod';
import type {
  ackFrameSchema,
  authenticatedFrameSchema,
  authFrameSchema,
  clientFrameSchemas,
  clientPingFrameSchema,
  clientPongFrameSchema,
  errorFrameSchema,
  eventFrameSchema,
  helloFrameSchema,
  joinFrameSchema,
  leaveFrameSchema,
  messageFrameSchema,
  presenceFrameSchema,
  presenceMemberSchema,
  requestFrameSchema,
  resultFrameSchema,
  serverFrameSchemas,
  serverPingFrameSchema,
  serverMessageFrameSchema,
  serverPongFrameSchema,
  subscribeFrameSchema,
  subscribedFrameSchema,
  unsubscribedFrameSchema,
  unsubscribeFrameSchema,
  welcomeFrameSchema,
} from './frame-schemas.js';

export type HelloFrame = z.infer<typeof helloFrameSchema>;
export type ClientPingFrame = z.infer<typeof clientPingFrameSchema>;
export type ClientPongFrame = z.infer<typeof clientPongFrameSchema>;
export type SubscribeFrame = z.infer<typeof subscribeFrameSchema>;
export type UnsubscribeFrame = z.infer<typeof unsubscribeFrameSchema>;
export type MessageFrame = z.infer<typeof messageFrameSchema>;
export type RequestFrame = z.infer<typeof requestFrameSchema>;
export type AuthFrame = z.infer<typeof authFrameSchema>;

export type WelcomeFrame = z.infer<typeof welcomeFrameSchema>;
export type ServerPingFrame = z.infer<typeof serverPingFrameSchema>;
export type ServerPongFrame = z.infer<typeof serverPongFrameSchema>;
export type SubscribedFrame = z.infer<typeof subscribedFrameSchema>;
export type EventFrame<T = unknown> = Omit<z.infer<typeof eventFrameSchema>, 'data'> & { data: T };
export type UnsubscribedFrame = z.infer<typeof unsubscribedFrameSchema>;
export type PresenceMember = z.infer<typeof presenceMemberSchema>;
export type PresenceFrame = z.infer<typeof presenceFrameSchema>;
export type JoinFrame = z.infer<typeof joinFrameSchema>;
export type LeaveFrame = z.infer<typeof leaveFrameSchema>;
export type ServerMessageFrame<T = unknown> = Omit<z.infer<typeof serverMessageFrameSchema>, 'data'> & { data: T };
export type ResultFrame<T = unknown> = Omit<z.infer<typeof resultFrameSchema>, 'data'> & { data: T };
export type AckFrame = z.infer<typeof ackFrameSchema>;
export type AuthenticatedFrame = z.infer<typeof authenticatedFrameSchema>;
export type ErrorFrame = z.infer<typeof errorFrameSchema>;

export type ClientFrameType = keyof typeof clientFrameSchemas;
export type ServerFrameType = keyof typeof serverFrameSchemas;

/** Every frame a client may send. */
export type ClientFrame =
  | HelloFrame
  | ClientPingFrame
  | ClientPongFrame
  | SubscribeFrame
  | UnsubscribeFrame
  | MessageFrame
  | RequestFrame
  | AuthFrame;

/** Every frame a server may send. */
export type ServerFrame =
  | WelcomeFrame
  | ServerPingFrame
  | ServerPongFrame
  | SubscribedFrame
  | EventFrame
  | UnsubscribedFrame
  | PresenceFrame
  | JoinFrame
  | LeaveFrame
  | ServerMessageFrame
  | AckFrame
  | ResultFrame
  | AuthenticatedFrame
  | ErrorFrame;

/** The frame of the given `type` sent in the given direction. */
export type ClientFrameOf<T extends ClientFrameType> = Extract<ClientFrame, { type: T }>;
export type ServerFrameOf<T extends ServerFrameType> = Extract<ServerFrame, { type: T }>;
