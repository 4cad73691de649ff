"""Chapter 2 (seed 001, Ricci-type curvature regularization): ``recipe`` trains the variants a config describes,
``claims`` computes the goal verdicts and the claims table, ``figures`` draws the page's figures."""
