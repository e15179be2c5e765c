import Autograd
import HTTPServer
