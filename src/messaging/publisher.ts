/** A message as the publisher sends it to a topic. */
export interface PublishRequest {
  topic: string;
  body: string;
  /** CMQ message tags; subscriptions may filter on them. */
  tags: string[];
}

/** Sends messages to the queue service; one implementation per transport. */
export interface Publisher {
  /** Publishes one message and returns the broker's message id. */
  publish(request: PublishRequest): Promise<string>;
}
