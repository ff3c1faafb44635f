// Starts GraphiQL against this API. Kept in a file (not inline) so the page's
// Content-Security-Policy can forbid inline scripts.
(function () {
  var fetcher = GraphiQL.createFetcher({ url: window.location.origin + '/graphql' });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      defaultHeaders: '{\n  "Authorization": "Bearer <paste the accessToken from login>"\n}',
    })
  );
})();
