import React from "react";
import DOMPurify from "dompurify";

type Post = { id: string; title: string; html: string };

export function PostBody({ post }: { post: Post }) {
  // ruleid: xss
  return <article dangerouslySetInnerHTML={{ __html: post.html }} />;
}

export function SafePostBody({ post }: { post: Post }) {
  // ok: xss
  return <article dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(post.html) }} />;
}

export function Title({ post }: { post: Post }) {
  // ok: xss
  return <h1 title={post.title}>{post.title}</h1>;
}

export function Search() {
  const q = new URLSearchParams(window.location.search).get("q") ?? "";
  // ruleid: xss
  return <div dangerouslySetInnerHTML={{ __html: `Results for ${q}` }} />;
}
