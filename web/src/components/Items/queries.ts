import { graphql } from "../../gql";

export const ItemsQuery = graphql(`
  query Items($offset: Int!, $limit: Int!) {
    items(offset: $offset, limit: $limit) {
      totalCount
      nodes {
        id
        title
        description
        createdAt
        owner {
          email
        }
      }
    }
  }
`);

export const CreateItemMutation = graphql(`
  mutation CreateItem($input: CreateItemInput!) {
    createItem(input: $input) {
      id
    }
  }
`);

export const UpdateItemMutation = graphql(`
  mutation UpdateItem($id: UUID!, $input: UpdateItemInput!) {
    updateItem(id: $id, input: $input) {
      id
    }
  }
`);

export const DeleteItemMutation = graphql(`
  mutation DeleteItem($id: UUID!) {
    deleteItem(id: $id)
  }
`);

/** Every cached page of items: mutations invalidate them all (totals shift pages). */
export const ITEMS_KEY = ["items"] as const;
