import React from "react";

type Comment = { id: string; author: string; body: string; createdAt: string };

export function CommentList({ comments }: { comments: Comment[] }) {
  return (
    <ul className="comments">
      {comments.map((c) => (
        <li key={c.id}>
          <strong>{c.author}</strong>
          <time dateTime={c.createdAt}>{new Date(c.createdAt).toLocaleString()}</time>
          <p className="comment-body">{c.body}</p>
        </li>
      ))}
    </ul>
  );
}
