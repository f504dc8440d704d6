import { getRepository } from "typeorm";
import { User } from "./entity";

export async function getServerSideProps({ query }) {
  const users = await getRepository(User)
    .createQueryBuilder("user")
    // ruleid: sql-injection
    .where(`user.name = '${query.name}'`)
    .getMany();
  const same = await getRepository(User)
    .createQueryBuilder("user")
    // ok: sql-injection
    .where("user.name = :name", { name: query.name })
    .getMany();
  return { props: { users, same, bio: query.bio } };
}

export default function Page({ bio }: { bio: string }) {
  // ruleid: xss
  return <section dangerouslySetInnerHTML={{ __html: bio }} />;
}
