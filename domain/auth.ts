/** Who is calling: the secretariat (admin) or one helpline. Public reads have no principal. */
export type Principal = { readonly role: 'admin' } | { readonly role: 'helpline'; readonly helplineId: string };

export type Authenticate = (key: string) => Promise<Principal | undefined>;
