package dev.toriimcp.catalog.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Each input is taken from a spec of the shared corpus, named in the test. */
class DescriptionCompactorTest {

  private final DescriptionCompactor compactor = new DescriptionCompactor();

  @Test
  void keepsTheFirstParagraphOfGitHubMarkdownAsPlainText() {
    String github = "Returns a single reference from your Git database. The `:ref` in the URL must"
        + " be formatted as `heads/<branch name>` for branches and `tags/<tag name>` for tags.\n\n"
        + "**Note:** You need to explicitly [request a pull request](https://docs.github.com/rest"
        + "/reference/pulls#get-a-pull-request) to trigger a test merge commit.";

    assertThat(compactor.compact(github)).isEqualTo("Returns a single reference from your Git"
        + " database. The :ref in the URL must be formatted as heads/<branch name> for branches and"
        + " tags/<tag name> for tags.");
  }

  @Test
  void turnsLinksIntoTheirTextAndDropsEmphasisMarkers() {
    String github = "**Note**: To edit a repository's topics, use the [Replace all repository"
        + " topics](https://docs.github.com/rest/reference/repos#replace-all-repository-topics)"
        + " endpoint.";
    String asana = "A *budget* object represents a budget for a specific __parent__ object.";
    String slack = "This method either only returns a brief _not OK_ response or a verbose schema"
        + " is not available for this method.";

    assertThat(compactor.compact(github)).isEqualTo("Note: To edit a repository's topics, use"
        + " the Replace all repository topics endpoint.");
    assertThat(compactor.compact(asana))
        .isEqualTo("A budget object represents a budget for a specific parent object.");
    assertThat(compactor.compact(slack)).isEqualTo("This method either only returns a brief not"
        + " OK response or a verbose schema is not available for this method.");
  }

  @Test
  void leavesAsterisksAndUnderscoresThatAreNotEmphasis() {
    String kubernetes = "resources is a list of resources this rule applies to. 'pods/*' means all"
        + " subresources of pods. '*/scale' means all scale subresources. '*/*' means all"
        + " resources and their subresources.";
    String snakeCase = "Set to the value of a previous next_cursor, such as user_id or _id_prefix.";

    assertThat(compactor.compact(kubernetes)).isEqualTo(kubernetes);
    assertThat(compactor.compact(snakeCase)).isEqualTo(snakeCase);
  }

  @Test
  void keepsCodeSpansVerbatimButWithoutBackticks() {
    String kubernetes = "Only property names of the form `[a-zA-Z_.-/][a-zA-Z0-9_.-/]*` are"
        + " accessible.";
    String twilio = "A TwiML document that contains `<Play>`, `<Say>`, `<Pause>`, or `<Redirect>`"
        + " verbs.";

    assertThat(compactor.compact(kubernetes))
        .isEqualTo("Only property names of the form [a-zA-Z_.-/][a-zA-Z0-9_.-/]* are accessible.");
    assertThat(compactor.compact(twilio))
        .isEqualTo("A TwiML document that contains <Play>, <Say>, <Pause>, or <Redirect> verbs.");
  }

  @Test
  void keepsAngleBracketsThatAreNotHtml() {
    String kubernetes = "The unique identifier for a device is the tuple <driver name>, <pool name>,"
        + " <device name>.\n\nWhenever a driver adds a device, it must be unique.";
    String twilio = "You can also specify inequality: `DateCreated<=YYYY-MM-DD` will return"
        + " recordings generated at or before midnight on a given date, and DateCreated>=YYYY-MM-DD"
        + " returns the others.";

    assertThat(compactor.compact(kubernetes)).isEqualTo("The unique identifier for a device is"
        + " the tuple <driver name>, <pool name>, <device name>.");
    assertThat(compactor.compact(twilio)).isEqualTo("You can also specify inequality:"
        + " DateCreated<=YYYY-MM-DD will return recordings generated at or before midnight on a"
        + " given date, and DateCreated>=YYYY-MM-DD returns the others.");
  }

  @Test
  void stripsAsanaHtmlAndJoinsAScopeLabelWithTheFirstSentence() {
    String asana = "<b>Required scope: </b><code>projects:read</code>\n\n<table>\n  <tr>\n"
        + "    <th>Field</th>\n    <th>Required Scope</th>\n  </tr>\n  <tr>\n"
        + "    <td><code>team</code></td>\n    <td><code>teams:read</code></td>\n  </tr>\n"
        + "</table>\n\nReturns the complete project record for a single project.";
    String property = "<p><strong style={{ color: \"#4573D2\" }}>Full object requires scope:"
        + " </strong><code>projects:read</code>, <code>project_sections:read</code></p>\n\n"
        + "*Create-only*. Array of projects this task is associated with and the section it is"
        + " in. At task creation time, this array can be used to add the task to sections.";

    assertThat(compactor.compact(asana)).isEqualTo(
        "Required scope: projects:read. Returns the complete project record for a single project.");
    assertThat(compactor.compact(property)).isEqualTo("Full object requires scope: projects:read,"
        + " project_sections:read. Create-only. Array of projects this task is associated with and"
        + " the section it is in.");
  }

  @Test
  void joinsAShortNoticeWithTheNextParagraph() {
    String openAi = "Deprecated in favor of `tools`.\n\nA list of functions the model may generate"
        + " JSON inputs for.\n";
    String openAiBold = "**Deprecated:** use `summary` instead.\n\nA summary of the reasoning"
        + " performed by the model. This can be\nuseful for debugging.\n";

    assertThat(compactor.compact(openAi)).isEqualTo(
        "Deprecated in favor of tools. A list of functions the model may generate JSON inputs for.");
    assertThat(compactor.compact(openAiBold))
        .isEqualTo("Deprecated: use summary instead. A summary of the reasoning performed by the model.");
  }

  @Test
  void skipsALeadingHeadingAndDropsCodeBlocks() {
    String rebilly = "# Introduction\nThe Rebilly API is built on HTTP.  Our API is RESTful.\n\n"
        + "## Authentication\nUse an API key.";
    String openAi = "A list of tool definitions that the model should be allowed to call.\n\n"
        + "For the Responses API, the list of tool definitions might look like:\n```json\n[\n"
        + "  { \"type\": \"function\", \"name\": \"get_weather\" }\n]\n```\n";
    String onlyHeading = "## Pets";

    assertThat(compactor.compact(rebilly)).isEqualTo("The Rebilly API is built on HTTP. Our API is RESTful.");
    assertThat(compactor.compact(openAi))
        .isEqualTo("A list of tool definitions that the model should be allowed to call.");
    assertThat(compactor.compact(onlyHeading)).isEqualTo("Pets");
  }

  @Test
  void dropsImagesCommentsAndReferenceDefinitions() {
    String github = "For example, typing `:strawberry:` will render the emoji"
        + " ![:strawberry:](https://github.githubassets.com/images/icons/emoji/unicode/1f353.png).";
    String referenced = "<!-- generated -->\nSee the [pagination guide][paging] for the"
        + " [cursor] parameter.\n\n[paging]: https://api.slack.com/docs/pagination\n"
        + "[cursor]: https://api.slack.com/docs/pagination#cursors";
    String kubernetesRegex = "The key must be a qualified name ([A-Za-z0-9][-A-Za-z0-9_.]*) no more"
        + " than 63 bytes in length.";

    assertThat(compactor.compact(github))
        .isEqualTo("For example, typing :strawberry: will render the emoji.");
    assertThat(compactor.compact(referenced))
        .isEqualTo("See the pagination guide for the cursor parameter.");
    assertThat(compactor.compact(kubernetesRegex)).isEqualTo(kubernetesRegex);
    assertThat(compactor.compact("<!-- TODO: describe -->")).isNull();
    assertThat(compactor.compact("![diagram](flow.png)")).isNull();
  }

  @Test
  void decodesEntitiesAndCollapsesWhitespace() {
    String html = "Returns the&nbsp;user&#39;s   <em>primary</em>\n\temail &amp; its &lt;status&gt;"
        + " &#x2014; or &unknown; text.";

    assertThat(compactor.compact(html))
        .isEqualTo("Returns the user's primary email & its <status> — or &unknown; text.");
  }

  @Test
  void endsAtTheLastSentenceBeforeAColonThatIntroducesAList() {
    String asana = "There are many cases where you want to minimize the number of HTTP requests"
        + " you make. For example:\n\n* Modern browsers limit the number of requests.\n"
        + "* Mobile apps will use more battery life.";
    String kubernetes = "Possible enum values:\n - `\"Always\"` means always.\n - `\"Never\"` means"
        + " never.";

    assertThat(compactor.compact(asana)).isEqualTo(
        "There are many cases where you want to minimize the number of HTTP requests you make.");
    assertThat(compactor.compact(kubernetes))
        .isEqualTo("Possible enum values: \"Always\" means always. \"Never\" means never.");
  }

  @Test
  void keepsGitHubListItemsOfTheFirstParagraphAsText() {
    String github = "The level of privacy this team should have. The options are:  \n"
        + "**For a non-nested team:**  \n\\* `secret` - only visible to organization owners.  \n"
        + "\\* `closed` - visible to all members of this organization.";

    assertThat(compactor.compact(github)).isEqualTo("The level of privacy this team should have."
        + " The options are: For a non-nested team: secret - only visible to organization owners."
        + " closed - visible to all members of this organization.");
  }

  @Test
  void leavesPlainDescriptionsAsTheyAre() {
    assertThat(compactor.compact("list or watch objects of kind Pod"))
        .isEqualTo("list or watch objects of kind Pod");
    assertThat(compactor.compact("Send a message")).isEqualTo("Send a message");
    assertThat(compactor.compact("  \n ")).isNull();
    assertThat(compactor.compact(null)).isNull();
  }
}
