/** What the Nest example publishes on `alerts`. */
export interface ModerationAlert {
  id: string;
  category: string;
  risk: number;
  created_at: string;
}
