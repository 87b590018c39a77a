"""Widgets styled once as a form opens, where Textual styled some of them three times."""


class StyledOnMount:
    """Mixed into a form's editors: no restyling before the widget is mounted.

    Textual restyles a widget and each of its component classes whenever one of its
    classes changes, mounted or not. `compact=True` and the classes a row gives its
    editor change classes while the form is being composed, so most editors were styled
    once or twice before Textual styled them for good as it mounted them: 24 of the 184
    stylesheet applications of opening a decision form, about 7% of its CPU. Until it
    has a parent nothing is shown: mounting styles it with every class it has by then."""

    def update_node_styles(self, animate: bool = True) -> None:
        if self._parent is not None:
            super().update_node_styles(animate)
