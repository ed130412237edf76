/** What a signed-in account may do. */
export enum Role {
  User = 'user',
  Admin = 'admin',
}
