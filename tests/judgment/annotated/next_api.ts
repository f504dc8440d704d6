import type { NextApiRequest, NextApiResponse } from "next";
import { NextRequest, NextResponse } from "next/server";
import fs from "fs";
import path from "path";

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  const slug = req.query.slug as string;
  // ruleid: path-traversal
  const text = fs.readFileSync(path.join(process.cwd(), "posts", slug + ".md"), "utf8");
  res.status(200).json({ text });
}

export async function GET(request: NextRequest) {
  const target = request.nextUrl.searchParams.get("to") ?? "/";
  // ruleid: open-redirect
  return NextResponse.redirect(target);
}

export async function POST(request: NextRequest) {
  const { name } = await request.json();
  const safe = path.basename(String(name));
  // ok: path-traversal
  const text = fs.readFileSync(path.join(process.cwd(), "posts", safe), "utf8");
  return NextResponse.json({ text });
}
