import { createRoute } from "@tanstack/react-router";
import { PageHeader } from "../components/Common/Page";
import { AddItem } from "../components/Items/AddItem";
import { ItemsList } from "../components/Items/ItemsList";
import { pageSearch } from "../lib/paging";
import { signedInRoute } from "./signed-in";

export const itemsRoute = createRoute({
  getParentRoute: () => signedInRoute,
  path: "/items",
  validateSearch: pageSearch,
  component: ItemsPage,
});

function ItemsPage() {
  return (
    <>
      <PageHeader title="Items" lead="Things you keep track of." actions={<AddItem />} />
      <ItemsList search={itemsRoute.useSearch()} />
    </>
  );
}
