import { graphql } from "../../gql";

export const UsersQuery = graphql(`
  query Users($offset: Int!, $limit: Int!) {
    users(offset: $offset, limit: $limit) {
      totalCount
      nodes {
        id
        email
        fullName
        isActive
        isSuperuser
      }
    }
  }
`);

export const CreateUserMutation = graphql(`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      id
    }
  }
`);

export const UpdateUserMutation = graphql(`
  mutation UpdateUser($id: UUID!, $input: UpdateUserInput!) {
    updateUser(id: $id, input: $input) {
      id
    }
  }
`);

export const DeleteUserMutation = graphql(`
  mutation DeleteUser($id: UUID!) {
    deleteUser(id: $id)
  }
`);

export const AuditEventsQuery = graphql(`
  query AuditEvents($offset: Int!, $limit: Int!) {
    auditEvents(offset: $offset, limit: $limit) {
      totalCount
      nodes {
        id
        kind
        actorId
        subjectEmail
        ip
        detail
        createdAt
      }
    }
  }
`);

export const USERS_KEY = ["users"] as const;
export const AUDIT_KEY = ["auditEvents"] as const;
